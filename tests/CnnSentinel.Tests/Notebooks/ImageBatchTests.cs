using CnnSentinel.Notebooks;
using SkiaSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Notebooks;

public class ImageBatchTests
{
    [Fact]
    public void Uint8ImagesAppearPixelForPixelInTheGrid()
    {
        // Two 2×2 RGB images: the first pure red, the second with a known pattern.
        var images = zeros(2, 3, 2, 2, dtype: ScalarType.Byte);
        images[0, 0] = tensor((byte)255);
        images[1, 1, 0, 1] = tensor((byte)200);
        images[1, 2, 1, 0] = tensor((byte)100);
        using var bitmap = SKBitmap.Decode(new ImageBatch(images, Columns: 2, Zoom: 1).ToPng());

        Assert.Equal(2 * 2 + 4, bitmap.Width); // two tiles and the gap between them
        Assert.Equal(2, bitmap.Height);
        Assert.Equal(new SKColor(255, 0, 0), bitmap.GetPixel(0, 0));
        Assert.Equal(new SKColor(0, 200, 0), bitmap.GetPixel(6 + 1, 0));
        Assert.Equal(new SKColor(0, 0, 100), bitmap.GetPixel(6 + 0, 1));
        Assert.Equal(SKColors.White, bitmap.GetPixel(3, 0)); // gap
    }

    [Fact]
    public void FloatImagesAreStretchedAndMultispectralBandsChosen()
    {
        // 13 bands; bands 3,2,1 (B04,B03,B02) hold a left-dark, right-bright ramp.
        var image = zeros(13, 4, 4);
        image[TensorIndex.Slice(1, 4), TensorIndex.Colon, TensorIndex.Slice(2, 4)] = tensor(1000f);
        using var bitmap = SKBitmap.Decode(new ImageBatch(image, DisplayBands: [3, 2, 1], Zoom: 1).ToPng());
        Assert.Equal(new SKColor(0, 0, 0), bitmap.GetPixel(0, 0));
        Assert.Equal(new SKColor(255, 255, 255), bitmap.GetPixel(3, 3));
    }

    [Fact]
    public void CaptionsAddSpaceAndMustMatchTheImages()
    {
        var images = rand(3, 3, 8, 8);
        using var captioned = SKBitmap.Decode(new ImageBatch(images, ["a", "b", "c"], Zoom: 1).ToPng());
        using var plain = SKBitmap.Decode(new ImageBatch(images, Zoom: 1).ToPng());
        Assert.True(captioned.Height > plain.Height);
        Assert.Throws<ArgumentException>(() => new ImageBatch(images, ["a"]).ToPng());
        Assert.Throws<ArgumentException>(() => new ImageBatch(rand(13, 8, 8), DisplayBands: [0, 1, 13]).ToPng());
    }
}
