package ft.transfer.bench;

import ft.transfer.Body;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A body received and hashed, all in memory (no disk, no socket), against the floor of a plain
 * single-thread MD5 loop over the same bytes. {@code Body.receive} of 1 MiB or more hashes on
 * a second thread; below that it hashes inline.
 *
 * <p>Time per body; MB/s = size / time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DigestPipelineBenchmark {
    /** 512 KiB: inline hashing; 1 MiB: the smallest pipelined body; 32 MiB: a large one. */
    @Param({"524288", "1048576", "33554432"})
    public int size;

    private byte[] data;
    private ByteArrayInputStream in;
    private MessageDigest md5;
    private final byte[] buffer = new byte[Body.BUFFER_BYTES];
    private final WritableByteChannel discard = new DiscardingChannel();
    private ArrayChannel onDisk;

    @Setup
    public void setUp() {
        data = new byte[size];
        new Random(42).nextBytes(data);
        in = new ByteArrayInputStream(data);
        md5 = Body.newMd5();
        onDisk = new ArrayChannel(data);
    }

    /** What a receiver does with a body: read it, write it, hash it (pipelined for >= 1 MiB). */
    @Benchmark
    public byte[] receive() throws IOException {
        in.reset();
        Body.receive(in, discard, size, md5, done -> {});
        return md5.digest();
    }

    /** The floor: read the same stream into one buffer and MD5 it on this thread, nothing else. */
    @Benchmark
    public byte[] plainMd5Loop() throws IOException {
        in.reset();
        for (int n; (n = in.read(buffer)) > 0; ) {
            md5.update(buffer, 0, n);
        }
        return md5.digest();
    }

    /** Hashing a prefix already stored (before a resume), from a channel. */
    @Benchmark
    public byte[] hash() throws IOException {
        onDisk.rewind();
        Body.hash(onDisk, size, md5);
        return md5.digest();
    }

    /** A destination that accepts every byte at once and keeps none. */
    private static final class DiscardingChannel implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    /** Reads a byte array as a file channel would read a file: as much as the buffer holds. */
    private static final class ArrayChannel implements ReadableByteChannel {
        private final byte[] bytes;
        private int position;

        ArrayChannel(byte[] bytes) {
            this.bytes = bytes;
        }

        void rewind() {
            position = 0;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position == bytes.length) {
                return -1;
            }
            int n = Math.min(dst.remaining(), bytes.length - position);
            dst.put(bytes, position, n);
            position += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }
}
