package ft.protocol;

/**
 * A violation of the wire format: a frame or header that cannot be accepted.
 *
 * <p>This is the only exception the decoder throws for bad input, whatever the input.
 * The {@link #code()} is what the receiving side reports back before closing.
 */
public final class ProtocolException extends CodedException {
    public ProtocolException(ErrorCode code, String message) {
        super(code, message);
    }
}
