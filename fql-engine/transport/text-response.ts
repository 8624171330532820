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
  readonly #init: ResponseInit;
  #used = false;
  /** The real Response, once something needed the stream. From then on it answers everything. */
  #real: Response | null = null;

  constructor(text: string, init: ResponseInit) {
    super(null, init);
    this.#text = text;
    this.#init = init;
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
    const bytes = new TextEncoder().encode(await this.text());
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }

  override async blob(): Promise<Blob> {
    const type = this.headers.get('content-type');
    return new Blob([await this.text()], type === null ? {} : { type });
  }

  override formData(): Promise<FormData> {
    return this.#materialized().formData();
  }

  override clone(): Response {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return this.#real !== null ? this.#real.clone() : new TextResponse(this.#text, this.#init);
  }

  #materialized(): Response {
    if (this.#real === null) {
      this.#real = new Response(this.#text, this.#init);
      // A body already read stays read: so is the real one's stream.
      if (this.#used) void this.#real.text();
    }
    return this.#real;
  }
}
