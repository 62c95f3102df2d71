package ft.client;

import java.time.Duration;
import java.util.Locale;

/**
 * What a person is told when a batch waits before trying a file again: how long, and the
 * failure in a few words ({@code retrying in 2 s: connection lost}). The whole message is in
 * the outcome if the retries run out; here a glance must do.
 */
final class RetryNote {
    private RetryNote() {}

    static String of(Duration wait, FtException cause) {
        return "retrying in " + wait(wait) + ": " + reason(cause);
    }

    /** Under a second in milliseconds, else seconds with at most one decimal ({@code 2 s}, {@code 1.5 s}). */
    static String wait(Duration wait) {
        long ms = wait.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** The failure's code in words: the codes that are retried have short names people know. */
    static String reason(FtException e) {
        return switch (e.code()) {
            case ConnectionException.CONNECT_FAILED -> "cannot connect";
            case ConnectionException.CONNECTION_LOST -> "connection lost";
            case ConnectionException.TIMEOUT -> "timed out";
            case "BUSY" -> "the server is busy";
            case "CHECKSUM_MISMATCH" -> "checksum mismatch";
            default -> e.code().toLowerCase(Locale.ROOT).replace('_', ' ');
        };
    }
}
