package ft.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * The one line at the bottom of a terminal that progress rewrites in place ({@code \r}, the
 * text, erase to the end of the row). Whole lines — notes, errors, results on stdout — are
 * printed above it: the row is cleared, they are printed, and the line is drawn again below.
 *
 * <p>The text never reaches the last {@value #RESERVED} columns. A row filled to its last
 * column leaves the cursor waiting to wrap, and a terminal that is interrupted echoes {@code ^C}
 * right after the text: either would push a piece of the line onto a row of its own, where the
 * next {@code \r} cannot reach it.
 *
 * <p>If the JVM shuts down while a line is drawn (Ctrl-C), a shutdown hook ends it with a
 * newline, so the shell's prompt starts at the left edge; when no line is drawn it prints
 * nothing. Safe to use from several threads.
 */
final class StatusLine {
    /** Columns kept free at the right: one so the cursor never waits to wrap, two for an echoed ^C. */
    static final int RESERVED = 3;

    private static final String ERASE_TO_END = "\u001b[K";
    /** The hook waits this long for a thread that is drawing; a stuck terminal must not stop the JVM from exiting. */
    private static final long EXIT_LOCK_MS = 200;

    /** What the line shows, laid out anew for the width of the moment. */
    @FunctionalInterface
    interface Text {
        String fit(int columns, String ellipsis);
    }

    private final PrintWriter err;
    private final IntSupplier width;
    private final String ellipsis;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock. */
    private Text text;

    private boolean drawn;
    /** Set by the shutdown hook: nothing may be drawn below the newline that ended the line. */
    private boolean closed;

    StatusLine(PrintWriter err, IntSupplier width, String ellipsis) {
        this.err = err;
        this.width = width;
        this.ellipsis = ellipsis;
    }

    /** The line on stderr, as wide as its terminal, with {@code …} where stderr's charset has it. */
    static StatusLine onStderr(PrintWriter err, Map<String, String> env) {
        return new StatusLine(err, new TerminalWidth(env), ellipsisFor(System.err.charset()));
    }

    /** In a C locale the JVM writes stderr as ASCII, and {@code …} would come out as {@code ?}. */
    static String ellipsisFor(Charset charset) {
        return charset.newEncoder().canEncode('\u2026') ? "\u2026" : "...";
    }

    /** Draws {@code text} in place of what the line showed. */
    void show(Text text) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            this.text = text;
            draw();
        } finally {
            lock.unlock();
        }
    }

    /** Makes {@code text} what the line shows at its next drawing (after whole lines are printed above it). */
    void replace(Text text) {
        lock.lock();
        try {
            this.text = text;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code print}, which prints whole lines and flushes what it printed to, with the line
     * out of the way: it is erased first and drawn again afterwards.
     */
    void above(Runnable print) {
        lock.lock();
        try {
            if (drawn) {
                err.print("\r" + ERASE_TO_END);
                err.flush();
            }
            print.run();
            if (drawn && !closed) {
                draw();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A note ({@code ft: MESSAGE}) above the line. */
    void note(String message) {
        above(() -> {
            // A note may carry a server's words (a retry's cause): never raw to the terminal.
            err.println("ft: " + Terminal.safe(message));
            err.flush();
        });
    }

    /** Leaves what the line shows as an ordinary line; the next {@link #show} draws on a new one. */
    void end() {
        lock.lock();
        try {
            if (drawn && !closed) {
                err.println();
                err.flush();
            }
            drawn = false;
            text = null;
        } finally {
            lock.unlock();
        }
    }

    /** Whether a line is on the screen now, unfinished. */
    boolean drawn() {
        lock.lock();
        try {
            return drawn;
        } finally {
            lock.unlock();
        }
    }

    /** The shutdown hook's part: a drawn line is ended, and nothing is drawn after. */
    void endAtExit() {
        boolean locked = false;
        try {
            locked = lock.tryLock(EXIT_LOCK_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            closed = true;
            if (drawn) {
                err.println();
                err.flush();
                drawn = false;
            }
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
    }

    private void draw() {
        if (text == null) {
            return;
        }
        int columns = Math.max(RESERVED + 1, width.getAsInt()) - RESERVED;
        // Cut again whatever the text made of the room: a line one column too wide wraps.
        String line = StatusText.cut(text.fit(columns, ellipsis), columns);
        err.print("\r" + line + ERASE_TO_END);
        err.flush();
        if (!drawn) {
            drawn = true;
            ExitHook.watch(this);
        }
    }

    /** One shutdown hook per JVM, for the line drawn last (there is one per command). */
    private static final class ExitHook {
        private static final AtomicBoolean INSTALLED = new AtomicBoolean();
        private static volatile StatusLine last;

        static void watch(StatusLine line) {
            last = line;
            if (INSTALLED.compareAndSet(false, true)) {
                try {
                    Runtime.getRuntime().addShutdownHook(new Thread(ExitHook::run, "ft-status-line"));
                } catch (IllegalStateException shuttingDown) {
                    // Already shutting down: the line that is drawn now is not ended, a cosmetic loss.
                }
            }
        }

        private static void run() {
            StatusLine line = last;
            if (line != null) {
                line.endAtExit();
            }
        }
    }
}
