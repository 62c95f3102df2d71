package ft.server.storage;

import java.io.IOException;

/**
 * The backend's store did not answer, or answered that it cannot serve now (an object store
 * unreachable, timing out, or saying 503 Slow Down): the request may succeed if tried again,
 * here or on another server. Clients are told BUSY, which they retry.
 */
public final class StoreUnavailableException extends IOException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
