package ft.protocol;

/** A checked failure that carries the {@link ErrorCode} the other side is told. */
public abstract class CodedException extends Exception {
    private final ErrorCode code;

    protected CodedException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public final ErrorCode code() {
        return code;
    }
}
