package ft.transfer;

import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoSpaceExceptionTest {
    @Test
    void aFailureWhereThereIsRoomStaysWhatItWasWhateverItsMessageSays(@TempDir Path dir) {
        IOException failure = new IOException("No space left on device");
        assertSame(failure, NoSpaceException.classify(failure, dir.resolve("file")));
    }

    @Test
    void aFailureAlreadyClassifiedIsKept(@TempDir Path dir) {
        NoSpaceException full = new NoSpaceException("full", new IOException("x"));
        assertSame(full, NoSpaceException.classify(full, dir));
    }
}
