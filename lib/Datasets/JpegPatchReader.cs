using System.Runtime.InteropServices;
using SkiaSharp;

namespace CnnSentinel.Datasets;

/// <summary>Decodes a EuroSAT RGB JPEG into band-first pixel values (R, G, B planes).</summary>
internal static class JpegPatchReader
{
    /// <summary>
    /// Reads <paramref name="path"/> as 3 planes of <paramref name="height"/> × <paramref name="width"/> values 0–255.
    /// </summary>
    /// <exception cref="InvalidPatchException">Not a decodable image, truncated, or of another size.</exception>
    public static ushort[] Read(string path, int height = EuroSatDataset.PatchSize, int width = EuroSatDataset.PatchSize)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new InvalidPatchException(path, $"cannot be read ({e.Message})", e);
        }
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidPatchException(path, "cannot be decoded as an image: damaged, truncated or not a JPEG");
        if (codec.Info.Width != width || codec.Info.Height != height)
            throw new InvalidPatchException(path, $"is {codec.Info.Width}×{codec.Info.Height} pixels, expected {width}×{height}");

        // No colour space: the bytes are taken as stored, without colour management.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        SKCodecResult result;
        try
        {
            result = codec.GetPixels(info, handle.AddrOfPinnedObject());
        }
        finally
        {
            handle.Free();
        }
        // A truncated file decodes partly and reports IncompleteInput: refuse it rather than train on grey rows.
        if (result != SKCodecResult.Success)
            throw new InvalidPatchException(path, $"could not be decoded completely ({result}); the file is damaged or truncated");

        int plane = height * width;
        var pixels = new ushort[3 * plane];
        for (int p = 0; p < plane; p++)
        {
            pixels[p] = rgba[4 * p];
            pixels[plane + p] = rgba[4 * p + 1];
            pixels[2 * plane + p] = rgba[4 * p + 2];
        }
        return pixels;
    }
}
