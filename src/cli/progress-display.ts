import cliProgress from "cli-progress";
import type { UploadProgress } from "../upload/progress.js";

/** Shows upload progress on stderr; `stop` leaves the final state on screen. */
export interface ProgressDisplay {
  update(progress: UploadProgress): void;
  stop(): void;
}

/** A live bar (bytes, percent, rate, ETA) for a terminal. */
export function barDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  const started = Date.now();
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

/** Plain lines for logs and pipes: one per part accepted, and one when the network is waited for. */
export function lineDisplay(write: (line: string) => void): ProgressDisplay {
  let partsShown = -1;
  let waitingShown = false;
  return {
    update({ bytesSent, totalBytes, partsDone, partsTotal, waiting }) {
      if (waiting !== waitingShown) {
        waitingShown = waiting;
        write(
          waiting ? "progress: waiting for the network; parts will be sent again\n" : "progress: the network is back\n",
        );
      }
      if (partsDone === partsShown) return;
      partsShown = partsDone;
      const percent = ((100 * bytesSent) / totalBytes).toFixed(1);
      write(`progress: ${percent}% ${bytesSent}/${totalBytes} bytes, parts ${partsDone}/${partsTotal}\n`);
    },
    stop: () => {},
  };
}

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
