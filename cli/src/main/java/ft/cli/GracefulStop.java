package ft.cli;

import ft.server.FtServer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a graceful stop. The JVM's default handling would run
 * shutdown hooks and exit with 143/130; a service manager should see 0 after a clean stop,
 * and transfers in flight should get their grace period, so the signals are taken over.
 */
final class GracefulStop {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);

    private GracefulStop() {}

    static void onSignals(FtServer server, Duration grace) {
        Runnable stop = () -> {
            LOG.info("stopping: no new connections, {} s for transfers in flight", grace.toSeconds());
            boolean clean = server.shutdown(grace);
            LOG.info(clean ? "stopped cleanly" : "stopped; transfers still running were cut (their partials are kept)");
        };
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                // A second signal while stopping is ignored: the grace period is the promise.
                Signal.handle(new Signal(name), s -> {
                    if (stopping.compareAndSet(false, true)) {
                        Thread.ofPlatform().name("ft-stop").start(stop);
                    }
                });
            } catch (IllegalArgumentException unsupported) {
                LOG.warn("cannot handle SIG{} here; it will stop the server abruptly", name);
            }
        }
    }
}
