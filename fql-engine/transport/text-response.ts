/**
 * A Response whose body is a string already in memory, made into a stream only if someone asks
 * for the stream.
 *
 * Why: on Node 20, `new Response(text)` builds a ReadableStream at once and `text()` reads it back
 * through the streams machinery: about 10 µs, as much as some whole queries spend in the
 * evaluator. The faunadb driver only ever calls `text()`. Everything else a Response offers still
 * works: `body`, `clone()` and `formData()` hand over to a real Response made on first use.
 */
export class TextResponse extends Response {
  readonly #text: string;
  #used = false;
  /** The real Response, once something needed the stream. From then on it answers everything. */
  #real: Response | null = null;

  constructor(text: string, init: ResponseInit) {
    super(null, init);
    this.#text = text;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this.#materialized().body;
  }

  override get bodyUsed(): boolean {
    return this.#used || (this.#real?.bodyUsed ?? false);
  }

  override text(): Promise<string> {
    if (this.#used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    if (this.#real !== null) return this.#real.text();
    this.#used = true;
    return Promise.resolve(this.#text);
  }

  override async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new TextEncoder().encode(await this.text());
  }

  override async blob(): Promise<Blob> {
    const type = this.headers.get('content-type');
    return new Blob([await this.text()], type === null ? {} : { type });
  }

  override formData(): Promise<FormData> {
    return this.#materialized().formData();
  }

  override clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    // A stream someone holds a reader of cannot be cloned: the real Response says so.
    if (this.#real?.body?.locked === true) return this.#real.clone();
    return new TextResponse(this.#text, this.#initNow());
  }

  /** Status and headers as they are now: a caller may have changed the headers since. */
  #initNow(): ResponseInit {
    return { status: this.status, statusText: this.statusText, headers: this.headers };
  }

  #materialized(): Response {
    if (this.#real === null) {
      this.#real = new Response(this.#text, this.#initNow());
      // A body already read stays read: so is the real one's stream.
      if (this.#used) void this.#real.text();
    }
    return this.#real;
  }
}
