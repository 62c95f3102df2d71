package ft.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * How many columns the terminal on stderr has: what {@code stty size} says of it, asked when
 * the first line is drawn and again whenever the terminal is resized (SIGWINCH); else
 * {@code $COLUMNS}; else 80.
 *
 * <p>The JVM has no call for a terminal's size, and {@code stty} reads it from its standard
 * input, so stty is given {@code /dev/tty} (the process's own terminal) rather than ft's stdin,
 * which may be a pipe ({@code ft get -i -}). {@code $COLUMNS} comes second: shells set it
 * without exporting it, and when it is exported it is a snapshot that a resize makes wrong.
 */
final class TerminalWidth implements IntSupplier {
    static final int FALLBACK = 80;
    private static final long STTY_TIMEOUT_MS = 2000;

    private final Map<String, String> env;
    private final Supplier<OptionalInt> stty;
    /** 0 until first asked. */
    private volatile int columns;

    TerminalWidth(Map<String, String> env) {
        this(env, TerminalWidth::askStty);
    }

    TerminalWidth(Map<String, String> env, Supplier<OptionalInt> stty) {
        this.env = env;
        this.stty = stty;
    }

    @Override
    public int getAsInt() {
        int known = columns;
        if (known > 0) {
            return known;
        }
        synchronized (this) {
            if (columns == 0) {
                OptionalInt measured = stty.get();
                columns = measured.orElseGet(this::fromEnvironment);
                if (measured.isPresent()) {
                    // Only a terminal that could be measured can be measured again after a resize.
                    followResizes();
                }
            }
            return columns;
        }
    }

    private int fromEnvironment() {
        try {
            int n = Integer.parseInt(env.getOrDefault("COLUMNS", "").strip());
            return n > 0 ? n : FALLBACK;
        } catch (NumberFormatException e) {
            return FALLBACK;
        }
    }

    private void followResizes() {
        try {
            // The handler runs on a thread of its own, so the stty it starts never holds up a redraw.
            sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), s -> stty.get().ifPresent(n -> columns = n));
        } catch (IllegalArgumentException | LinkageError unavailable) {
            // No SIGWINCH here (or no jdk.unsupported in a trimmed runtime): the width stays as first measured.
        }
    }

    /** The columns {@code stty size} reports for /dev/tty, if there is one. */
    static OptionalInt askStty() {
        try {
            Process p = new ProcessBuilder("stty", "size")
                    .redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(STTY_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return OptionalInt.empty();
            }
            String[] rowsColumns = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                    .strip()
                    .split("\\s+");
            if (p.exitValue() != 0 || rowsColumns.length != 2) {
                return OptionalInt.empty();
            }
            int n = Integer.parseInt(rowsColumns[1]);
            return n > 0 ? OptionalInt.of(n) : OptionalInt.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty(); // no controlling terminal, or no stty
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }
}
