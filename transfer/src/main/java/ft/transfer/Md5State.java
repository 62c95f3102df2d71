package ft.transfer;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * An MD5 whose running state can be saved to a few bytes and restored, so that an upload's
 * digest can be kept with its partial and a resumed upload hashes only the bytes that are new.
 *
 * <p>It is the JDK's own MD5 ({@code sun.security.provider.MD5}, an intrinsic on x86-64 and
 * AArch64), not a second implementation: issue #13 measured Bouncy Castle's exportable
 * {@code MD5Digest} at about half the JDK's speed ({@code Md5StateBenchmark} in src/jmh has the numbers),
 * far outside the 10% a hot-path digest may lose. The JDK does not export that state, so this
 * class reads and writes four of its fields (the chaining words, the partial block, its fill
 * and the byte count) through method and var handles. That needs the package opened to ft:
 * {@code --add-opens java.base/sun.security.provider=ALL-UNNAMED}, which ft.jar's manifest
 * ({@code Add-Opens}) and the test runs give. Where the package is not open, or a JDK changed
 * those fields, {@link #canSaveState()} is false, {@link #saveState()} is empty and
 * {@link #restore} gives nothing: the caller hashes what it holds again, as before. Nothing
 * else changes; the digest itself is always the JDK's.
 *
 * <p>The saved form is ft's own, not the JDK's object layout: magic {@code "ftM5"}, a format
 * byte, the byte count, the four chaining words, the unfinished block's bytes and a CRC-32C
 * of all of that (at most 96 bytes). It is the standard MD5 intermediate state, so a future
 * implementation can read it; a corrupt or foreign blob is refused with
 * {@link BadStateException}, never turned into a wrong digest.
 *
 * <p>Not thread-safe, like any {@link MessageDigest}.
 */
public final class Md5State extends MessageDigest {
    private static final byte[] MAGIC = {'f', 't', 'M', '5'};
    private static final byte FORMAT = 1;
    private static final int BLOCK = 64;
    private static final int FIXED = MAGIC.length + 1 + Long.BYTES + 4 * Integer.BYTES;
    /** The longest saved state: fixed part, a block less one byte, the CRC. */
    public static final int MAX_STATE_BYTES = FIXED + BLOCK - 1 + Integer.BYTES;

    /** The JDK's digest operations, typed {@code (Object, ...)} whichever object does the work. */
    private static final MethodHandle NEW;

    private static final MethodHandle UPDATE;
    private static final MethodHandle DIGEST;
    private static final MethodHandle RESET;
    /** Non-null only where the JDK's MD5 state is reachable. */
    private static final Access ACCESS;

    static {
        Access access = null;
        MethodHandle create;
        MethodHandle update;
        MethodHandle digest;
        MethodHandle reset;
        try {
            Class<?> md5 = Class.forName("sun.security.provider.MD5");
            Class<?> base = md5.getSuperclass();
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(base, MethodHandles.lookup());
            MethodHandles.Lookup md5Lookup = MethodHandles.privateLookupIn(md5, MethodHandles.lookup());
            access = new Access(
                    md5Lookup.findVarHandle(md5, "state", int[].class),
                    lookup.findVarHandle(base, "buffer", byte[].class),
                    lookup.findVarHandle(base, "bufOfs", int.class),
                    lookup.findVarHandle(base, "bytesProcessed", long.class));
            create = md5Lookup.findConstructor(md5, MethodType.methodType(void.class));
            update = lookup.findVirtual(
                    base, "engineUpdate", MethodType.methodType(void.class, byte[].class, int.class, int.class));
            digest = lookup.findVirtual(base, "engineDigest", MethodType.methodType(byte[].class));
            reset = lookup.findVirtual(base, "engineReset", MethodType.methodType(void.class));
            Object probe = create.invoke();
            if (!access.fits(probe)) {
                throw new IllegalStateException("the JDK's MD5 fields are not the expected shape");
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Not opened to ft (or another JDK): hash with the public API, without saving state.
            access = null;
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                create = MethodHandles.lookup()
                        .findStatic(Md5State.class, "plainMd5", MethodType.methodType(MessageDigest.class));
                update = lookup.findVirtual(
                        MessageDigest.class,
                        "update",
                        MethodType.methodType(void.class, byte[].class, int.class, int.class));
                digest = lookup.findVirtual(MessageDigest.class, "digest", MethodType.methodType(byte[].class));
                reset = lookup.findVirtual(MessageDigest.class, "reset", MethodType.methodType(void.class));
            } catch (ReflectiveOperationException impossible) {
                throw new ExceptionInInitializerError(impossible);
            }
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
        ACCESS = access;
        NEW = create.asType(MethodType.methodType(Object.class));
        UPDATE = update.asType(MethodType.methodType(void.class, Object.class, byte[].class, int.class, int.class));
        DIGEST = digest.asType(MethodType.methodType(byte[].class, Object.class));
        RESET = reset.asType(MethodType.methodType(void.class, Object.class));
    }

    /** The JDK's MD5 as anyone may have it (the fallback's digest). */
    private static MessageDigest plainMd5() throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("MD5");
    }

    private final Object impl;
    /** Bytes hashed since creation or the last reset, restored ones included. */
    private long length;

    private Md5State(Object impl) {
        super("MD5");
        this.impl = impl;
    }

    /** A fresh MD5. */
    public static Md5State create() {
        try {
            return new Md5State((Object) NEW.invokeExact());
        } catch (Throwable t) {
            throw new IllegalStateException("cannot create the JDK's MD5", t);
        }
    }

    /** Whether this JVM lets states be saved and restored (see the class comment). */
    public static boolean canSaveState() {
        return ACCESS != null;
    }

    /** Bytes hashed so far (since creation, restore or the last {@link #reset}). */
    public long length() {
        return length;
    }

    /**
     * The running state, to restore with {@link #restore}; empty where this JVM does not allow
     * it ({@link #canSaveState()}). The digest goes on unchanged.
     */
    public Optional<byte[]> saveState() {
        if (ACCESS == null) {
            return Optional.empty();
        }
        long count = (long) ACCESS.bytesProcessed.get(impl);
        int tail = (int) ACCESS.bufOfs.get(impl);
        int[] words = (int[]) ACCESS.state.get(impl);
        byte[] buffer = (byte[]) ACCESS.buffer.get(impl);
        if (count != length || tail != (int) (count % BLOCK)) {
            // Cannot happen with the JDK's DigestBase; if it ever does, saving nothing is safe.
            return Optional.empty();
        }
        ByteBuffer out = ByteBuffer.allocate(FIXED + tail + Integer.BYTES).order(ByteOrder.BIG_ENDIAN);
        out.put(MAGIC).put(FORMAT).putLong(count);
        for (int w : words) {
            out.putInt(w);
        }
        out.put(buffer, 0, tail);
        out.putInt(crc(out.array(), out.position()));
        return Optional.of(out.array());
    }

    /**
     * The MD5 whose state {@code saved} describes, ready to take the bytes that follow; empty
     * where this JVM cannot restore states ({@link #canSaveState()}): hash from the start then.
     *
     * @throws BadStateException if {@code saved} is not a state {@link #saveState()} wrote
     *     (truncated, altered, another format)
     */
    public static Optional<Md5State> restore(byte[] saved) throws BadStateException {
        // Checked first, so that a bad blob is refused the same way on every JVM.
        ByteBuffer in = ByteBuffer.wrap(saved).order(ByteOrder.BIG_ENDIAN);
        if (saved.length < FIXED + Integer.BYTES || !Arrays.equals(saved, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new BadStateException("not a saved MD5 state (no ftM5 header, " + saved.length + " bytes)");
        }
        in.position(MAGIC.length);
        byte format = in.get();
        if (format != FORMAT) {
            throw new BadStateException("saved MD5 state of unknown format " + format);
        }
        long count = in.getLong();
        if (count < 0) {
            throw new BadStateException("saved MD5 state with a negative length");
        }
        int tail = (int) (count % BLOCK);
        if (saved.length != FIXED + tail + Integer.BYTES) {
            throw new BadStateException("saved MD5 state of " + saved.length + " bytes; one of " + count
                    + " bytes hashed has " + (FIXED + tail + Integer.BYTES));
        }
        int expected = ByteBuffer.wrap(saved, saved.length - Integer.BYTES, Integer.BYTES)
                .getInt();
        if (crc(saved, saved.length - Integer.BYTES) != expected) {
            throw new BadStateException("saved MD5 state is corrupt (checksum mismatch)");
        }
        if (ACCESS == null) {
            return Optional.empty();
        }
        Md5State md5 = create();
        int[] words = (int[]) ACCESS.state.get(md5.impl);
        for (int i = 0; i < words.length; i++) {
            words[i] = in.getInt();
        }
        in.get((byte[]) ACCESS.buffer.get(md5.impl), 0, tail);
        ACCESS.bufOfs.set(md5.impl, tail);
        ACCESS.bytesProcessed.set(md5.impl, count);
        md5.length = count;
        return Optional.of(md5);
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    @Override
    protected void engineUpdate(byte input) {
        engineUpdate(new byte[] {input}, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        try {
            UPDATE.invokeExact(impl, input, offset, len);
        } catch (Throwable t) {
            throw unchecked(t);
        }
        length += len;
    }

    @Override
    protected byte[] engineDigest() {
        try {
            byte[] digest = (byte[]) DIGEST.invokeExact(impl);
            length = 0;
            return digest;
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    protected void engineReset() {
        try {
            RESET.invokeExact(impl);
            length = 0;
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** What a method handle of the JDK's MD5 threw, to rethrow: unchecked as it is, else wrapped. */
    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    @Override
    protected int engineGetDigestLength() {
        return 16;
    }

    @Override
    public Object clone() throws CloneNotSupportedException {
        // The copy would share the JDK object; a saved state is the way to fork a digest.
        throw new CloneNotSupportedException("Md5State: save and restore its state instead");
    }

    /** A saved state that is not one: truncated, altered, or written by something else. */
    public static final class BadStateException extends IOException {
        BadStateException(String message) {
            super(message);
        }
    }

    /** The JDK's MD5 fields this class reads and writes. */
    private record Access(VarHandle state, VarHandle buffer, VarHandle bufOfs, VarHandle bytesProcessed) {
        boolean fits(Object md5) {
            return ((int[]) state.get(md5)).length == 4
                    && ((byte[]) buffer.get(md5)).length == BLOCK
                    && (int) bufOfs.get(md5) == 0
                    && (long) bytesProcessed.get(md5) == 0;
        }
    }
}
