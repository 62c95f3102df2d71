package ft.cli;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * Start-up work that a command meets only on its first request, done ahead on a second thread
 * while the main thread builds the command line's model, so that the two overlap on a
 * multi-core machine instead of adding up.
 *
 * <p>What is here was measured (JFR, with the start-up archive) on the path of a small
 * {@code ft get}: the JDK's {@code BigDecimal} class initialiser computes 5<sup>65536</sup>
 * (JDK 25), and the first JSON parser of a reply (Jackson's {@code ParserMinimalBase}) runs it:
 * about a third of the transfer thread's time; the security providers behind the first MD5;
 * the name service behind the first {@code InetAddress}. Each is only initialised here, never
 * used: the command still does, and reports, everything itself.
 */
final class Warmup {
    private Warmup() {}

    /**
     * Whether the command about to run ({@link Main#subcommandOf}'s answer) is one of ft's
     * subcommands, which all read JSON, and not the version, help or a usage error, which
     * need none of this.
     */
    static boolean wanted(String subcommand) {
        return subcommand != null && !subcommand.equals(Main.NO_SUBCOMMAND);
    }

    /** Starts the work on a daemon thread (the process never waits for it) when {@link #wanted}. */
    static void startFor(String subcommand) {
        if (wanted(subcommand)) {
            Thread t = new Thread(Warmup::run, "ft-warmup");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Does the work; a failure is the command's to meet and report, not this thread's. */
    static void run() {
        try {
            ClassLoader loader = Warmup.class.getClassLoader();
            Class.forName("java.math.BigDecimal", true, loader);
            Class.forName("com.fasterxml.jackson.core.base.ParserMinimalBase", true, loader);
            Class.forName("java.net.InetAddress", true, loader);
            MessageDigest.getInstance("MD5");
        } catch (ReflectiveOperationException | GeneralSecurityException | RuntimeException | LinkageError e) {
            // Nothing to do: whatever failed here fails again where the command needs it, and is
            // reported there with its error code.
        }
    }
}
