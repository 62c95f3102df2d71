package ft.server.storage;

import java.io.IOException;

/** The file is no longer the version asked for; the caller may look again and retry. */
public final class VersionChangedException extends IOException {
    public VersionChangedException(String message) {
        super(message);
    }
}
