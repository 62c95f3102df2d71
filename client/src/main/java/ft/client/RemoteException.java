package ft.client;

import ft.protocol.ErrorCode;

/** The server refused a request with one of the protocol's error codes ({@link Family#REFUSAL}). */
public final class RemoteException extends FtException {
    private final ErrorCode error;

    public RemoteException(ErrorCode error, String message) {
        super(error.name(), Family.REFUSAL, message, null);
        this.error = error;
    }

    public ErrorCode error() {
        return error;
    }
}
