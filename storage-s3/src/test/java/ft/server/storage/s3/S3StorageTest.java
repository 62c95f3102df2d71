package ft.server.storage.s3;

import ft.server.storage.Storage;
import ft.server.storage.StorageContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The storage contract against a real S3 (S3Proxy 4.1.0), a fresh bucket per test. */
class S3StorageTest extends StorageContract {
    private static S3Fixture fixture;

    @BeforeAll
    static void startS3() throws Exception {
        fixture = S3Fixture.start();
    }

    @AfterAll
    static void stopS3() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @AfterEach
    void closeStores() {
        fixture.closeStores();
    }

    @Override
    protected Storage newStorage() throws Exception {
        return fixture.open("s3://" + fixture.newBucket() + "/some/prefix", fixture.settings());
    }
}
