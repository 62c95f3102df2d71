package ft.client;

/** Bytes received do not hash to the MD5 the server announced; nothing was kept. */
public final class ChecksumException extends FtException {
    public ChecksumException(String message) {
        super("CHECKSUM_MISMATCH", Family.INTEGRITY, message, null);
    }
}
