package ft.client;

/**
 * Every failure the client reports: a stable {@link #code()} for scripts and logs, the
 * {@link #family()} it belongs to, and a message a person understands.
 *
 * <p>A library has no exit statuses: the {@code ft} command line maps code and family to its
 * own (see the README's table of exit codes).
 */
public abstract class FtException extends Exception {
    /**
     * Where a failure comes from, which decides what a caller can do about it. The same code can
     * occur in two families: {@code NO_SPACE} is the local disk's ({@link #LOCAL}) or the
     * server's ({@link #REFUSAL}).
     */
    public enum Family {
        /** The server could not be reached, stopped answering, or the connection broke: a retry may help. */
        CONNECTION,
        /** The server refused the request; the code is one of the protocol's {@code ErrorCode}s. */
        REFUSAL,
        /** The server's TLS certificate is not trusted: a person must decide. */
        TRUST,
        /** The server broke the protocol; nothing it sent is kept. */
        PROTOCOL,
        /** The bytes received do not hash to the MD5 announced. */
        INTEGRITY,
        /** The local file system failed: unreadable source, unwritable target, no space. */
        LOCAL,
        /** What the caller asked for cannot be done as asked: a conflict, a bad setting or argument. */
        CALLER,
        /** A bug in ft itself. */
        INTERNAL
    }

    private final String code;
    private final Family family;

    protected FtException(String code, Family family, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.family = family;
    }

    /** The stable name of this failure, e.g. {@code NOT_FOUND} or {@code CONNECTION_LOST}. */
    public String code() {
        return code;
    }

    /** The kind of failure; {@link Family#REFUSAL} means {@link #code()} is a protocol error code. */
    public Family family() {
        return family;
    }
}
