package ft.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

final class FileVersions {
    private FileVersions() {}

    static DigestCache.Version of(Path real) throws IOException {
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
        return new DigestCache.Version(real, a.size(), a.lastModifiedTime(), a.fileKey());
    }
}
