package ft.client;

/** The destination exists with other content and the caller asked not to replace it (exit 1). */
public final class ConflictException extends FtException {
    public ConflictException(String message) {
        super("EXISTS", 1, message, null);
    }
}
