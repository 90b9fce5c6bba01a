import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Request bodies for bench/serve-load.sh from MNIST's first test image (a 7): digit.png (28x28 grey PNG) and
 * pixels.json ({"pixels":[784 numbers]}). Usage: java Bodies.java MNIST_DIR OUT_DIR
 */
public final class Bodies {
    public static void main(String[] args) throws Exception {
        byte[] px = new byte[784];
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(
                new FileInputStream(Path.of(args[0], "t10k-images-idx3-ubyte.gz").toFile())))) {
            in.readFully(new byte[16]); // magic, count, rows, cols
            in.readFully(px);
        }
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        StringBuilder json = new StringBuilder("{\"pixels\":[");
        for (int i = 0; i < 784; i++) {
            img.getRaster().setSample(i % 28, i / 28, 0, px[i] & 0xFF);
            json.append(i == 0 ? "" : ",").append(px[i] & 0xFF);
        }
        Path out = Path.of(args[1]);
        ImageIO.write(img, "png", out.resolve("digit.png").toFile());
        Files.writeString(out.resolve("pixels.json"), json.append("]}"));
    }
}
