import { createRequire } from "node:module";

// cli-progress is loaded for a bar on a terminal, not for every command.
const require = createRequire(import.meta.url);

import type { UploadProgress } from "../upload/progress.js";

/** Shows upload progress on stderr; `stop` leaves the final state on screen. */
export interface ProgressDisplay {
  update(progress: UploadProgress): void;
  stop(): void;
}

/** A live bar (bytes, percent, rate, ETA) for a terminal. */
export function barDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  const started = Date.now();
  const cliProgress = require("cli-progress") as typeof import("cli-progress");
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        "{bar} {percentage}% | {sent}/{size} | {rate} | ETA {eta_formatted} | parts {partsDone}/{partsTotal}{waiting}",
      barsize: 30,
      hideCursor: true,
      etaBuffer: 20,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let begun = false;
  return {
    update(progress) {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      const payload = {
        sent: formatBytes(progress.bytesSent),
        size: formatBytes(progress.totalBytes),
        rate: `${formatBytes(progress.bytesSent / seconds)}/s`,
        partsDone: progress.partsDone,
        partsTotal: progress.partsTotal,
        waiting: progress.waiting ? " | waiting for the network" : "",
      };
      if (!begun) {
        bar.start(progress.totalBytes, progress.bytesSent, payload);
        begun = true;
      } else {
        bar.update(progress.bytesSent, payload);
      }
    },
    stop: () => bar.stop(),
  };
}

/** How often a log gets a progress line at the most, besides one per tenth of the file. */
const LINE_INTERVAL_MS = 5000;

/**
 * Plain lines for logs and pipes (CI, `npm start`, a file): a line each time another tenth of
 * the file is sent, or after 5 s without one, and always the last, each with bytes, percent,
 * rate and parts; and one when the network is waited for, and when it is back. A 100-part
 * upload writes about a dozen lines, not a hundred.
 */
export function lineDisplay(write: (line: string) => void, now: () => number = Date.now): ProgressDisplay {
  const started = now();
  let shownAt = Number.NEGATIVE_INFINITY;
  let tenthShown = -1;
  let lastShown = false;
  let waitingShown = false;
  return {
    update({ bytesSent, totalBytes, partsDone, partsTotal, waiting }) {
      if (waiting !== waitingShown) {
        waitingShown = waiting;
        write(
          waiting ? "progress: waiting for the network; parts will be sent again\n" : "progress: the network is back\n",
        );
      }
      const last = partsDone === partsTotal;
      const tenth = Math.floor((10 * bytesSent) / totalBytes);
      const due = last ? !lastShown : tenth > tenthShown || now() - shownAt >= LINE_INTERVAL_MS;
      if (!due) return;
      shownAt = now();
      tenthShown = tenth;
      lastShown = last;
      const percent = ((100 * bytesSent) / totalBytes).toFixed(1);
      const rate = formatBytes(bytesSent / Math.max((shownAt - started) / 1000, 0.001));
      write(`progress: ${percent}% ${bytesSent}/${totalBytes} bytes, ${rate}/s, parts ${partsDone}/${partsTotal}\n`);
    },
    stop: () => {},
  };
}

/** Nothing at all: `--quiet`. */
export const silentDisplay: ProgressDisplay = { update: () => {}, stop: () => {} };

function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
