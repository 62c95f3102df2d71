package ft.client;

import ft.transfer.Body;
import ft.transfer.Md5State;
import ft.transfer.WriteBehind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The running MD5 of a download's partial, saved with its meta ({@code md5_state}) so that a
 * resume hashes only the bytes after the saved state instead of reading back all it holds
 * (half a second per GiB here, a quarter of the whole get).
 *
 * <p>The state is saved at each of {@link WriteBehind}'s background flushes (every {@link
 * WriteBehind#FLUSH_EVERY} bytes, so a client killed outright loses at most that much hashing),
 * and exactly at the end of what was written when the body is cut short ({@link #saveExact}).
 * A saved state never claims bytes that are not on disk: its offset is at most what was
 * written before the {@code fdatasync} that precedes the meta's rename. Whatever a state says,
 * the whole file's MD5 is still compared with the server's before the partial takes its name.
 *
 * <p>The digest is fed on the body's hashing thread; the snapshots it takes there are handed
 * to the flush thread through a volatile field, never read from the digest across threads.
 */
final class PartialDigest extends MessageDigest {
    /** How far the digest may run ahead of its last snapshot: a copy of ~100 bytes per MiB costs nothing. */
    static final long SNAPSHOT_EVERY = 1L << 20;

    /** A saved state and the count of bytes it covers. */
    private record Snapshot(long length, byte[] state) {}

    private final Md5State md5;
    /** The latest snapshot, taken on the hashing thread, read by the flush thread. */
    private volatile Snapshot latest;

    private PartialDigest(Md5State md5) {
        super("MD5");
        this.md5 = md5;
    }

    /**
     * The digest of the partial's first {@code held} bytes, ready for the body that follows:
     * restored from {@code meta}'s state and the bytes after it hashed from {@code file}, or
     * (no usable state) all {@code held} bytes hashed, as before states were saved.
     *
     * @param meta the partial's meta read before the resume, or null (nothing held, or not trusted)
     * @param hashing told the offset in the partial hashed up to, while it reads
     */
    static PartialDigest resume(FileChannel file, long held, PartialDownload.Meta meta, LongConsumer hashing)
            throws IOException {
        Md5State md5 = held > 0 && meta != null ? meta.restore(held).orElse(null) : null;
        if (md5 == null) {
            md5 = Md5State.create();
        }
        long from = md5.length();
        file.position(from);
        Body.hash(file, held - from, md5, done -> hashing.accept(from + done));
        return new PartialDigest(md5);
    }

    /** Bytes this digest covers, those restored included. */
    long length() {
        return md5.length();
    }

    /**
     * The sink for the body: writes to {@code file} (positioned at {@code from}) with a
     * {@link WriteBehind} whose every background flush, after its {@code fdatasync}, records the
     * latest snapshot that it covered in the meta.
     */
    WriteBehind sink(FileChannel file, long from, PartialDownload partial, PartialDownload.Meta meta) {
        Counting counted = new Counting(file);
        long[] recorded = {0}; // touched by one flush thread at a time, each started after the last ended
        return new WriteBehind(
                counted,
                () -> {
                    // Read before the fdatasync: the bytes the snapshot covers were written before it was taken.
                    Snapshot s = latest;
                    long written = from + counted.written.get();
                    file.force(false);
                    if (s != null && s.length() > recorded[0] && s.length() <= written) {
                        try {
                            partial.write(meta.withState(s.state()));
                            recorded[0] = s.length();
                        } catch (IOException e) {
                            // Only an optimisation: the next flush, or the end, records one.
                        }
                    }
                },
                WriteBehind.FLUSH_EVERY);
    }

    /**
     * After the body was cut short (the hashing is over, the sink closed): makes what was
     * written durable and records the state of exactly those bytes, so the rerun hashes none
     * of them. Where that cannot be done, a meta without state is written for a partial that
     * has none yet ({@code metaMissing}); one written earlier stays, with its last checkpoint.
     * Failures are added to {@code cause}: the next run then hashes more, or starts over.
     */
    void saveExact(
            FileChannel file,
            PartialDownload partial,
            PartialDownload.Meta meta,
            boolean metaMissing,
            Exception cause) {
        Optional<byte[]> state = Optional.empty();
        try {
            file.force(false);
            // A digest ahead of the disk (a write that failed after its bytes were hashed) is not saved.
            if (md5.length() <= file.size()) {
                state = md5.saveState();
            }
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        if (state.isPresent()) {
            partial.writeQuietly(meta.withState(state.get()), cause);
        } else if (metaMissing) {
            partial.writeQuietly(meta, cause);
        }
    }

    @Override
    protected void engineUpdate(byte input) {
        engineUpdate(new byte[] {input}, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        md5.update(input, offset, len);
        Snapshot s = latest;
        long now = md5.length();
        if (now - (s == null ? 0 : s.length()) >= SNAPSHOT_EVERY) {
            Optional<byte[]> state = md5.saveState();
            if (state.isPresent()) {
                latest = new Snapshot(now, state.get());
            }
        }
    }

    @Override
    protected byte[] engineDigest() {
        return md5.digest();
    }

    @Override
    protected void engineReset() {
        md5.reset();
        latest = null;
    }

    @Override
    protected int engineGetDigestLength() {
        return 16;
    }

    @Override
    public Object clone() throws CloneNotSupportedException {
        throw new CloneNotSupportedException("PartialDigest: its state is saved, not cloned");
    }

    /** Counts the bytes written through it, for the flush thread to bound a checkpoint by. */
    private static final class Counting implements WritableByteChannel {
        private final WritableByteChannel out;
        final AtomicLong written = new AtomicLong();

        Counting(WritableByteChannel out) {
            this.out = out;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = out.write(src);
            written.addAndGet(n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() {
            // The file is the caller's to close.
        }
    }
}
