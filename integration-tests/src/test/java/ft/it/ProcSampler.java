package ft.it;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Samples a process's {@code /proc/PID/status} ({@code VmRSS}, {@code VmHWM}, {@code Threads})
 * and its open sockets on a fixed period and keeps the peaks. This is measurement only: nothing
 * waits for a sample, so the period decides how fine the peaks are, never what a test does.
 */
final class ProcSampler implements AutoCloseable {
    private final long pid;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile long peakRssKib;
    private volatile long hwmKib;
    private volatile int peakThreads;
    private volatile int peakSockets;
    private volatile int samples;

    ProcSampler(Process process, long periodMillis) {
        this.pid = process.pid();
        sample();
        this.thread = Thread.ofPlatform().daemon().name("proc-sampler-" + pid).start(() -> {
            while (!stopped) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(periodMillis));
                sample();
            }
        });
    }

    /** One sample now (also what the sampler thread does each period); ignored once the process is gone. */
    synchronized void sample() {
        try {
            List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
            long rss = field(status, "VmRSS:");
            long hwm = field(status, "VmHWM:");
            int threads = (int) field(status, "Threads:");
            int sockets = sockets();
            peakRssKib = Math.max(peakRssKib, rss);
            hwmKib = Math.max(hwmKib, hwm);
            peakThreads = Math.max(peakThreads, threads);
            peakSockets = Math.max(peakSockets, sockets);
            samples++;
        } catch (IOException | RuntimeException gone) {
            // the process ended (or is ending): keep the peaks seen so far
        }
    }

    /** Sockets the process holds right now (its listener and UDP socket included). */
    int sockets() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        n++;
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed between listing and reading it
                }
            }
        }
        return n;
    }

    /** Threads of the process right now, or -1 if it is gone. */
    int threadsNow() {
        try {
            return (int) field(Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")), "Threads:");
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }

    private static long field(List<String> status, String name) {
        for (String line : status) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no " + name + " in /proc status");
    }

    /** The kernel's resident-set high-water mark (VmHWM), in MiB; covers moments between samples too. */
    long peakRssMib() {
        return Math.max(hwmKib, peakRssKib) / 1024;
    }

    int peakThreads() {
        return peakThreads;
    }

    int peakSockets() {
        return peakSockets;
    }

    int samples() {
        return samples;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        LockSupport.unpark(thread);
        thread.join(TimeUnit.SECONDS.toMillis(10));
        sample();
    }
}
