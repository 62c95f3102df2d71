package ft.client;

import ft.transfer.NoSpaceException;
import java.io.IOException;

/** The local disk failed us: unreadable source, unwritable target, or no space. */
public final class LocalIoException extends FtException {
    public static final String NO_SPACE = "NO_SPACE";

    public LocalIoException(String message, IOException cause) {
        this(cause instanceof NoSpaceException ? NO_SPACE : "LOCAL_IO", message, cause);
    }

    private LocalIoException(String code, String message, IOException cause) {
        super(code, Family.LOCAL, message, cause);
    }

    /** Not enough room on the local disk, known before anything was written. */
    public static LocalIoException noSpace(String message) {
        return new LocalIoException(NO_SPACE, message, null);
    }
}
