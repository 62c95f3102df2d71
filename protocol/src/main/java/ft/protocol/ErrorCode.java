package ft.protocol;

/**
 * The stable error codes a server puts in {@code {"status":"error","code":...}}.
 *
 * <p>Codes are part of the wire contract: scripts and other clients match on their names,
 * so a code is never renamed or reused for a different meaning. Each code is described in
 * {@code protocol/PROTOCOL.md}.
 */
public enum ErrorCode {
    /** The request is malformed: bad JSON, wrong types, unknown op or field, bad values. */
    BAD_REQUEST,
    /** A frame's length prefix is larger than {@link Protocol#MAX_FRAME_BYTES}. */
    HEADER_TOO_LARGE,
    /** The hello named a protocol version this server does not speak. */
    UNSUPPORTED_VERSION,
    /** The hello carried no token, or one the server does not accept; the connection closes. */
    UNAUTHORIZED,
    /** The path does not exist inside the served root. */
    NOT_FOUND,
    /** The path leaves the served root, names the reserved area, or may not be touched. */
    ACCESS_DENIED,
    /** The path names a directory where a regular file is needed. */
    IS_A_DIRECTORY,
    /** The path names a regular file (or something else) where a directory is needed. */
    NOT_A_DIRECTORY,
    /** A directory to remove is not empty and the request was not recursive. */
    NOT_EMPTY,
    /** The destination already exists and the request may not replace it. */
    EXISTS,
    /** Another transfer holds the resource (for example a concurrent upload of the same path). */
    BUSY,
    /** The bytes received do not hash to the MD5 the header announced. */
    CHECKSUM_MISMATCH,
    /** The upload is larger than this server accepts (see the limits in the hello answer). */
    TOO_LARGE,
    /** The server's disk cannot hold the upload. */
    NO_SPACE,
    /** The server failed in a way the client cannot fix; the message says what. */
    INTERNAL;

    /** Parses a wire name; codes this version does not know become {@link #INTERNAL}. */
    public static ErrorCode fromWire(String name) {
        for (ErrorCode code : values()) {
            if (code.name().equals(name)) {
                return code;
            }
        }
        return INTERNAL;
    }
}
