import { describe, expect, it } from 'vitest';
import { describeUserAgent } from './user-agent.ts';

describe('describeUserAgent', () => {
  it('names the browser and the system', () => {
    const chromeLinux = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    const safariIphone =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
    const firefoxWindows = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
    expect([chromeLinux, safariIphone, firefoxWindows].map(describeUserAgent)).toEqual(['Chrome on Linux', 'Safari on iOS', 'Firefox on Windows']);
  });

  it('shows what it does not recognise as it is', () => {
    expect(describeUserAgent('e2e-http/1.0')).toBe('e2e-http/1.0');
    expect(describeUserAgent('')).toBe('Unknown browser');
  });
});
