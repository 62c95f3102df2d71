package ft.client;

import ft.protocol.Md5;
import java.time.Duration;

/**
 * What happened to one {@link Transfer}: moved ({@code OK}), already identical on the other
 * side ({@code UNCHANGED}), deliberately not moved ({@code SKIPPED}, with the reason in
 * {@code message}), or failed ({@code ERROR}, with the failure's code and family).
 *
 * @param family           the failure's {@link FtException#family()}, null unless {@code ERROR}
 * @param bytesTransferred body bytes moved by the attempt that finished
 * @param resumedFrom      where that attempt started; above 0 means a resume
 */
public record Outcome(
        Transfer transfer,
        Status status,
        long size,
        Md5 md5,
        String code,
        String message,
        FtException.Family family,
        long bytesTransferred,
        long resumedFrom,
        Duration elapsed) {
    /** How a transfer ended. */
    public enum Status {
        OK,
        UNCHANGED,
        SKIPPED,
        ERROR;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static Outcome ok(Transfer t, long size, Md5 md5, long resumedFrom, Duration elapsed) {
        return new Outcome(t, Status.OK, size, md5, null, null, null, size - resumedFrom, resumedFrom, elapsed);
    }

    static Outcome unchanged(Transfer t, long size, Md5 md5, Duration elapsed) {
        return new Outcome(t, Status.UNCHANGED, size, md5, null, null, null, 0, 0, elapsed);
    }

    /** Not moved, on purpose: {@code why} says so to people (a symlink not followed, a batch stopped early). */
    public static Outcome skipped(Transfer t, String why) {
        return new Outcome(t, Status.SKIPPED, -1, null, null, why, null, 0, 0, Duration.ZERO);
    }

    public static Outcome failed(Transfer t, FtException e, Duration elapsed) {
        return new Outcome(t, Status.ERROR, -1, null, e.code(), e.getMessage(), e.family(), 0, 0, elapsed);
    }

    public boolean failed() {
        return status == Status.ERROR;
    }
}
