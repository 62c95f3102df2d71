package ft.client;

import static org.assertj.core.api.Assertions.assertThat;

import ft.protocol.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A batch whose login is refused stops knocking: one refused hello, every file reported. */
class BatchLoginRefusedTest {
    @TempDir
    Path tmp;

    @Test
    void refusedLoginIsNotRetriedForTheRemainingFiles() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        Batch.Connector refusing = () -> {
            attempts.incrementAndGet();
            throw new RemoteException(ErrorCode.UNAUTHORIZED, "the token was not accepted");
        };
        List<Transfer> transfers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            transfers.add(Transfer.get("f" + i, tmp.resolve("f" + i)));
        }
        List<Outcome> outcomes = new ArrayList<>();
        try (DigestJournal journal = DigestJournal.open(tmp.resolve("journal"))) {
            new Batch(
                            refusing,
                            new Batch.Options(1, 3, Duration.ZERO, false, false, true),
                            journal,
                            t -> Progress.NONE,
                            outcomes::add)
                    .run(transfers);
        }
        assertThat(attempts).hasValue(1);
        assertThat(outcomes).hasSize(5).allSatisfy(o -> {
            assertThat(o.failed()).isTrue();
            assertThat(o.code()).isEqualTo("UNAUTHORIZED");
        });
    }
}
