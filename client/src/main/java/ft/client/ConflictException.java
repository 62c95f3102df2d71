package ft.client;

/** The destination exists with other content and the caller asked not to replace it. */
public final class ConflictException extends FtException {
    public ConflictException(String message) {
        super("EXISTS", Family.CALLER, message, null);
    }
}
