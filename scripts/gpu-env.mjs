// Environment for WebGPU outside a browser (Dawn in Node) and for the system Chromium.
// Tests run on SwiftShader (the CPU Vulkan driver shipped with Debian's chromium package) so that results are
// the same on every machine; set UNROLL_SYSTEM_VULKAN=1 to use the machine's own Vulkan driver instead.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const CHROMIUM_LIB = '/usr/lib/chromium';
const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** The Chromium to drive: CHROMIUM_PATH if set, else the first system one found, else null. */
export function findChromium() {
  if (process.env.CHROMIUM_PATH)
    return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** The SwiftShader ICD, if present (CHROMIUM_PATH's own folder first). */
export function findSwiftShader() {
  const own = process.env.CHROMIUM_PATH
    ? join(process.env.CHROMIUM_PATH, '..', 'vk_swiftshader_icd.json')
    : null;
  if (own && existsSync(own)) return own;
  return existsSync(SWIFTSHADER_ICD) ? SWIFTSHADER_ICD : null;
}

/**
 * On a Debian machine without Chromium, installs it (it also brings the SwiftShader Vulkan driver Dawn uses).
 * Elsewhere says in one line what to install. Returns the Chromium path or exits.
 */
export function ensureChromium() {
  let found = findChromium();
  if (found && findSwiftShader()) return found;
  if (process.env.CHROMIUM_PATH) {
    console.error(
      `CHROMIUM_PATH=${process.env.CHROMIUM_PATH} ${found ? 'has no vk_swiftshader_icd.json beside it' : 'does not exist'}; point it at a Chromium build that ships SwiftShader.`,
    );
    process.exit(1);
  }
  if (aptInstall('chromium', 'Chromium (with its SwiftShader WebGPU driver)')) {
    found = findChromium();
    if (found && findSwiftShader()) return found;
  }
  console.error(
    "Unroll's tests need Chromium with SwiftShader: on Debian/Ubuntu `apt-get install chromium`, elsewhere set CHROMIUM_PATH to a Chromium whose folder has vk_swiftshader_icd.json.",
  );
  process.exit(1);
}

/** Pythons that may have PyTorch: UNROLL_PYTHON, Debian's (python3-torch installs there), then PATH's. */
const PYTHONS = [process.env.UNROLL_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);

/** The first Python that imports torch, or null. */
export function findTorchPython() {
  for (const py of PYTHONS) {
    try {
      execFileSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
      return py;
    } catch {
      // not this one
    }
  }
  return null;
}

/**
 * PyTorch for the export parity test (an exported train.py must reproduce Unroll's losses): Debian's
 * python3-torch (CPU, ~30 s with apt) when missing; elsewhere the test names what to install.
 */
export function ensureTorch() {
  if (!findTorchPython()) aptInstall('python3-torch', 'PyTorch (for the export parity test)');
}

/** On Debian, installs `pkg` with apt-get (through sudo unless root); false elsewhere. */
function aptInstall(pkg, what) {
  if (!existsSync('/etc/debian_version') || !existsSync('/usr/bin/apt-get')) return false;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  console.log(`${what} is missing: installing ${pkg} with apt-get …`);
  for (const args of [
    ['apt-get', 'update', '-qq'],
    ['apt-get', 'install', '-y', '-qq', pkg],
  ])
    execFileSync(isRoot ? args[0] : 'sudo', isRoot ? args.slice(1) : args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  return true;
}

/** process.env plus what Dawn and Chromium need here. */
export function gpuEnv(base = process.env) {
  const env = { ...base };
  const system = env.UNROLL_SYSTEM_VULKAN === '1';
  const icd = findSwiftShader();
  if (!system && icd && !env.VK_ICD_FILENAMES && !env.VK_DRIVER_FILES) env.VK_ICD_FILENAMES = icd;
  // Dawn loads libvulkan.so.1; Chromium ships one beside SwiftShader, used when the system has none.
  if (existsSync(join(CHROMIUM_LIB, 'libvulkan.so.1'))) {
    env.LD_LIBRARY_PATH = env.LD_LIBRARY_PATH ? `${env.LD_LIBRARY_PATH}:${CHROMIUM_LIB}` : CHROMIUM_LIB;
  }
  // SwiftShader's WSI code complains on every start without it.
  if (!env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'unroll-xdg-'));
  const chromium = findChromium();
  if (chromium && !env.CHROMIUM_PATH) env.CHROMIUM_PATH = chromium;
  return env;
}
