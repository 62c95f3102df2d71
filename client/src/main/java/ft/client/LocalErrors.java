package ft.client;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Says why a local file operation failed, as the system would ({@code Permission denied},
 * {@code Not a directory}): Java's messages are often just the file's name.
 */
public final class LocalErrors {
    private LocalErrors() {}

    public static String why(IOException e) {
        if (e instanceof NoSuchFileException missing) {
            // The JDK reports ENOTDIR as a missing file too; the nearest existing parent tells them apart.
            return missing.getFile() != null && throughAFile(Path.of(missing.getFile()))
                    ? "Not a directory"
                    : "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "Directory not empty";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "File exists";
        }
        if (e instanceof FileSystemLoopException) {
            return "Too many levels of symbolic links";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static boolean throughAFile(Path path) {
        for (Path p = path.getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                return !Files.isDirectory(p);
            }
        }
        return false;
    }

    /** A {@link LocalIoException} saying "{@code what}: why". */
    public static LocalIoException failure(String what, IOException e) {
        return new LocalIoException(what + ": " + why(e), e);
    }
}
