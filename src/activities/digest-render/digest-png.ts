/**
 * SVG → PNG on the server, with resvg compiled to WebAssembly (`@resvg/resvg-wasm`: no native addon, no install
 * script) and the DejaVu Sans fonts (`dejavu-fonts-ttf`, Bitstream Vera licence; Debian's fonts-dejavu-core as a
 * fallback). Deterministic: the same SVG gives the same bytes on every machine, since no system font is consulted.
 *
 * Both packages are loaded on first use, so nothing else in the worker depends on them being installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The part of @resvg/resvg-wasm's API used here. */
interface ResvgModule {
  initWasm(module: Uint8Array): Promise<void>;
  Resvg: new (
    svg: string,
    options: {
      font: { fontBuffers: Uint8Array[]; loadSystemFonts?: boolean; defaultFontFamily?: string };
      fitTo?: { mode: 'width'; value: number };
      background?: string;
    },
  ) => { render(): { asPng(): Uint8Array; width: number; height: number; free(): void }; free(): void };
}

export class ChartRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChartRenderError';
  }
}

const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];
const SYSTEM_FONT_DIR = '/usr/share/fonts/truetype/dejavu';

const load = createRequire(__filename);
let ready: Promise<{ resvg: ResvgModule; fonts: Uint8Array[] }> | null = null;

function fontDir(): string {
  try {
    return path.join(path.dirname(load.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  } catch {
    if (FONT_FILES.every((f) => existsSync(path.join(SYSTEM_FONT_DIR, f)))) return SYSTEM_FONT_DIR;
    throw new ChartRenderError(
      `no DejaVu Sans font for the chart: install the dejavu-fonts-ttf package (npm ci) or fonts-dejavu-core (${SYSTEM_FONT_DIR})`,
    );
  }
}

async function init(): Promise<{ resvg: ResvgModule; fonts: Uint8Array[] }> {
  let resvg: ResvgModule;
  let wasm: Buffer;
  try {
    resvg = load('@resvg/resvg-wasm') as ResvgModule;
    wasm = readFileSync(load.resolve('@resvg/resvg-wasm/index_bg.wasm'));
  } catch (e) {
    throw new ChartRenderError(`@resvg/resvg-wasm is not installed (npm ci): ${(e as Error).message}`);
  }
  await resvg.initWasm(wasm).catch((e: unknown) => {
    // One wasm instance per module instance; a test runner may hand us one that is already initialised.
    if (!/already initiali[sz]ed/i.test((e as Error).message)) throw e;
  });
  const dir = fontDir();
  return { resvg, fonts: FONT_FILES.map((f) => new Uint8Array(readFileSync(path.join(dir, f)))) };
}

/** The PNG of `svg`, `width` pixels wide (the height follows the SVG's aspect ratio). */
export async function svgToPng(svg: string, opts: { width: number }): Promise<Buffer> {
  if (!ready) {
    ready = init();
    ready.catch(() => {
      ready = null;
    });
  }
  const { resvg, fonts } = await ready;
  const renderer = new resvg.Resvg(svg, {
    font: { fontBuffers: fonts, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'width', value: opts.width },
    background: '#ffffff',
  });
  try {
    const image = renderer.render();
    try {
      return Buffer.from(image.asPng());
    } finally {
      image.free();
    }
  } finally {
    renderer.free();
  }
}
