package ft.client;

/**
 * Every failure the client reports: a stable {@link #code()} for scripts and logs, an
 * {@link #exitCode()} for the command line, and a message a person understands.
 */
public abstract class FtException extends Exception {
    private final String code;
    private final int exitCode;

    protected FtException(String code, int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.exitCode = exitCode;
    }

    /** The stable name of this failure, e.g. {@code NOT_FOUND} or {@code CONNECTION_LOST}. */
    public String code() {
        return code;
    }

    /** The process exit status documented in the README. */
    public int exitCode() {
        return exitCode;
    }
}
