package ft.client;

import java.io.IOException;

/** The local disk failed us: unreadable source, unwritable target, or no space (exit 6). */
public final class LocalIoException extends FtException {
    public LocalIoException(String message, IOException cause) {
        super(isNoSpace(cause) ? "NO_SPACE" : "LOCAL_IO", 6, message, cause);
    }

    private static boolean isNoSpace(IOException e) {
        String m = e == null ? "" : String.valueOf(e.getMessage());
        return m.contains("No space left") || m.contains("Disk quota exceeded");
    }
}
