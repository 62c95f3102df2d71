package ft.transfer;

import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * An {@link Md5State} seen through a digest that stops at every multiple of {@code every} bytes
 * (counted from the file's start) to hand the state there to a sink: an S3 upload keeps the
 * state at each part boundary, because a part cannot be read back to hash it again.
 *
 * <p>Updates go to the wrapped state, which stays the one to {@link Md5State#digest} or
 * {@link Md5State#saveState} at the end; this object only splits updates at the boundaries.
 */
public final class BoundaryDigest extends MessageDigest {
    /** Told each boundary's state, in order. */
    @FunctionalInterface
    public interface Sink {
        void at(long offset, byte[] state);
    }

    private final Md5State md5;
    private final long every;
    private final Sink sink;

    /**
     * @param md5   the running digest, {@code md5.length()} bytes into the file so far
     * @param every bytes between boundaries, at least 1
     */
    public BoundaryDigest(Md5State md5, long every, Sink sink) {
        super("MD5");
        if (every < 1) {
            throw new IllegalArgumentException("every must be at least 1: " + every);
        }
        this.md5 = md5;
        this.every = every;
        this.sink = sink;
    }

    @Override
    protected void engineUpdate(byte input) {
        engineUpdate(new byte[] {input}, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        while (len > 0) {
            long toBoundary = every - md5.length() % every;
            int n = (int) Math.min(len, toBoundary);
            md5.update(input, offset, n);
            offset += n;
            len -= n;
            if (md5.length() % every == 0) {
                md5.saveState().ifPresent(state -> sink.at(md5.length(), state));
            }
        }
    }

    @Override
    protected void engineUpdate(ByteBuffer input) {
        if (input.hasArray()) {
            engineUpdate(input.array(), input.arrayOffset() + input.position(), input.remaining());
            input.position(input.limit());
            return;
        }
        byte[] chunk = new byte[Math.min(input.remaining(), 64 * 1024)];
        while (input.hasRemaining()) {
            int n = Math.min(chunk.length, input.remaining());
            input.get(chunk, 0, n);
            engineUpdate(chunk, 0, n);
        }
    }

    @Override
    protected byte[] engineDigest() {
        return md5.digest();
    }

    @Override
    protected void engineReset() {
        md5.reset();
    }

    @Override
    protected int engineGetDigestLength() {
        return 16;
    }
}
