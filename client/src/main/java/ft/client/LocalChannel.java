package ft.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/** A file channel whose write failures stay distinguishable from the network's. */
final class LocalChannel implements WritableByteChannel {
    /** A local write failed; its cause is the disk's error, not the server's. */
    static final class WriteFailed extends IOException {
        WriteFailed(LocalIoException cause) {
            super(cause);
        }

        @Override
        public synchronized LocalIoException getCause() {
            return (LocalIoException) super.getCause();
        }
    }

    private final FileChannel file;

    LocalChannel(FileChannel file) {
        this.file = file;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        try {
            return file.write(src);
        } catch (IOException e) {
            throw new WriteFailed(new LocalIoException("cannot write the download: " + e.getMessage(), e));
        }
    }

    @Override
    public boolean isOpen() {
        return file.isOpen();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
