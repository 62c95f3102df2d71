package ft.client;

import ft.protocol.ErrorCode;

/** The server refused a request with one of the protocol's error codes. */
public final class RemoteException extends FtException {
    private final ErrorCode error;

    public RemoteException(ErrorCode error, String message) {
        super(error.name(), exitCodeOf(error), message, null);
        this.error = error;
    }

    public ErrorCode error() {
        return error;
    }

    private static int exitCodeOf(ErrorCode code) {
        return switch (code) {
            case NOT_FOUND -> 4;
            case CHECKSUM_MISMATCH -> 5;
            case ACCESS_DENIED, UNAUTHORIZED -> 7;
            default -> 1;
        };
    }
}
