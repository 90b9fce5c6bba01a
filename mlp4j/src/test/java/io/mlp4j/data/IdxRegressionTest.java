package io.mlp4j.data;

import io.mlp4j.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Regression tests for what {@link IdxFuzzTest} found, each with its (minimal) input. */
class IdxRegressionTest {

    @TempDir
    Path dir;

    /** Bytes allocated by this thread while reading {@code file}, which must be refused naming the file. */
    private static long allocationOfRefusal(Path file, int dims, String... parts) {
        long before = Fuzzer.allocatedBytes();
        assumeTrue(before >= 0, "this JVM has no per-thread allocation counter");
        IOException e = assertThrows(IOException.class, () -> Idx.read(file, dims));
        long allocated = Fuzzer.allocatedBytes() - before;
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
        return allocated;
    }

    /**
     * Finding 1 (fuzzer, gzip target, seed 3 execution 112): a gzip file of 579 bytes whose header claims 600
     * images of 28x28 (470,400 bytes, within the 1032:1 deflate limit) but which holds 40. The reader allocated
     * the whole claim before reading; now the array grows with the data that really arrives.
     */
    @Test
    void aGzipHeaderClaimingMoreThanTheStreamHoldsCostsOnlyWhatIsThere() throws IOException {
        Path f = dir.resolve("claims-600.gz");
        Files.write(f, Fuzzer.unhex(FINDING_1));
        Path warm = dir.resolve("warm-up.gz");
        Files.write(warm, IdxFiles.gzip(IdxFiles.images(2, 28, 28)));
        Idx.read(warm, 3); // loads the classes first: their loading counts as allocation too
        long allocated = allocationOfRefusal(f, 3, "truncated");
        assertTrue(allocated < 300_000, "allocated " + allocated + " bytes for a 579-byte file");
    }

    /**
     * The same at full scale: a 2.2 MB gzip file whose header claims 2,739,137 images (2^31 bytes, the most the
     * reader accepts, and less than 1032 times the file). Before the fix this allocated 2 GiB (an
     * OutOfMemoryError under a modest -Xmx) before finding the stream too short.
     */
    @Test
    void aGzipBombHeaderIsRefusedWithoutAllocatingTheClaim() throws IOException {
        int count = (int) (Idx.MAX_BYTES / 784);
        byte[] noise = new byte[2_200_000];
        new SplittableRandom(1).nextBytes(noise);
        byte[] raw = IdxFiles.idx(0x803, new int[] {count, 28, 28}, noise); // incompressible: the gzip stays 2.2 MB
        Path f = dir.resolve("bomb.gz");
        Files.write(f, IdxFiles.gzip(raw));
        assertTrue(Files.size(f) * 1032 > (long) count * 784, "the file must pass the deflate-ratio check");
        long allocated = allocationOfRefusal(f, 3, "truncated", Long.toString((long) count * 784));
        assertTrue(allocated < 64L << 20, "allocated " + allocated + " bytes for a " + Files.size(f) + "-byte file");
    }

    /** Growing the array must not change what a valid gzip file reads as, across the growth steps. */
    @Test
    void gzipFilesLargerThanTheFirstAllocationReadExactly() throws IOException {
        // Highly compressible: 8x the compressed size is far too small, so the array grows several times.
        byte[] px = new byte[300 * 28 * 28];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i / 5000);
        }
        Path f = dir.resolve("grows.gz");
        Files.write(f, IdxFiles.gzip(IdxFiles.idx(0x803, new int[] {300, 28, 28}, px)));
        assertTrue(Files.size(f) * 8 < px.length / 4);
        assertArrayEquals(px, Idx.read(f, 3).data());
        // And one byte more than the header says is still refused.
        byte[] more = java.util.Arrays.copyOf(IdxFiles.idx(0x803, new int[] {300, 28, 28}, px), 4 + 12 + px.length + 1);
        Files.write(f, IdxFiles.gzip(more));
        IOException e = assertThrows(IOException.class, () -> Idx.read(f, 3));
        assertTrue(e.getMessage().contains("unexpected data after"), e.getMessage());
        // One byte fewer: truncated.
        Files.write(f, IdxFiles.gzip(java.util.Arrays.copyOf(more, more.length - 2)));
        e = assertThrows(IOException.class, () -> Idx.read(f, 3));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    static final String FINDING_1 = "1f8b08000000000000ffedd2575bc8010085f17f03d97ba73293c82e241222abb289c8de7b8490b2"
            + "4766cacec82a7b952db2f7a6ecbd297b3f8f9be39eab7a2fce07f8bdcf310c0b33c3300d340cc3f2cf4c4ccdccd3a44d67913e"
            + "43c64c99b364cd963d47ce5cb9f3e4cd97bf4041cb4256d636858b142d56bc846d49bb52f6a5cb38942d57be42c54a951d9daa"
            + "54ade65cdda5464dd75a6eb5ebd475af57dfa341c3468d9b787a79376dd6bc45cb56addbb4f569d7deb74347bf4e9dbb74edd6"
            + "bd47cf5ebdfbf4edd77fc0c04183870c1d36dc7fc4c85101a3c78c0d1c17143c7ec2c44993a74c9d367d46c8cc59b3e7cc9d17"
            + "3a3f2c7cc1c2458b972c5d16b17cc5ca5591abd7ac5db73e2a7ac3c64d9bb76cddb67dc7ce5d31b1bbf7ecddb7ffc0c1437187"
            + "8fc41f3d76fcc4c953a7cf9c3d77fec2c54b97af5cbd76fdc6cd84c45bb7efdcbd77ffc1c3478f9f3c7df6fcc5cb57afdfbc7d"
            + "9794fcfec3c74f9fbf7cfdf6fdc7cf5ff8f1ffed27047efcf213027f8af2c739d9d93bc6fc6385949323b5df01fffff013023f"
            + "7ef909811fbffc84c08f5f7e42e0c72f3f21f0e3979f10f8f1cb4f08fcf8e527047efcf213023f7ef909811fbffc84c08f5f7e"
            + "42e0c72f3f21f0e3979f10f8f1cb4f08fcf8e527047efcf213023f7ef909811fbffc84c08f5f7e42e0c72f3f21f0e3979f10f8"
            + "f1cb4f08fcf8e527047efcf213023f7ef909811fbffc84c08f5f7e42e0c72f3f21f0e3979f10f8f1cb4f08fcf8e527047efcf2"
            + "13023f7ef909811fbffc84c08f5f7e42e0c72fff6f9ce5e835967a0000";
}
