package ft.client;

/** Bytes received do not hash to the MD5 the server announced; nothing was kept (exit 5). */
public final class ChecksumException extends FtException {
    public ChecksumException(String message) {
        super("CHECKSUM_MISMATCH", 5, message, null);
    }
}
