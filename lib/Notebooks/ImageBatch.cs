using CnnSentinel.Runtime;
using SkiaSharp;
using static TorchSharp.torch;

namespace CnnSentinel.Notebooks;

/// <summary>
/// A batch of images to look at: a notebook shows it as a picture grid (PNG). Wrap any image tensor
/// — <c>[N, C, H, W]</c>, <c>[C, H, W]</c> or <c>[H, W]</c>, uint8 or floating, RGB or multispectral.
/// </summary>
/// <param name="Images">The images; channels first.</param>
/// <param name="Captions">Optional caption per image (shown under it; a line break starts a second line).</param>
/// <param name="Columns">Images per row.</param>
/// <param name="DisplayBands">For more than 3 channels, which 3 to show as red, green, blue (e.g. <see cref="Datasets.SentinelBands.TrueColour"/> for EuroSAT MS).</param>
/// <param name="Zoom">Pixels per image pixel (nearest-neighbour), so 64×64 patches are not tiny.</param>
public sealed record ImageBatch(
    Tensor Images,
    IReadOnlyList<string>? Captions = null,
    int Columns = 8,
    int[]? DisplayBands = null,
    int Zoom = 2)
{
    const int Gap = 4;
    const int CaptionHeight = 16;

    /// <summary>Renders the grid. Floating images are stretched per image between their 2nd and 98th percentiles; uint8 is shown as is.</summary>
    public SKBitmap ToBitmap()
    {
        using var scope = NewDisposeScope();
        var batch = Normalise(Images);
        int n = (int)batch.shape[0], h = (int)batch.shape[2], w = (int)batch.shape[3];
        if (Captions is not null && Captions.Count != n)
            throw new ArgumentException($"ImageBatch has {n} images but {Captions.Count} captions.");
        int columns = Math.Clamp(Columns, 1, Math.Max(1, n));
        int rows = (n + columns - 1) / columns;
        // A caption may have several lines ('\n'); every cell leaves room for the longest.
        int captionLines = Captions is null ? 0 : Captions.Select(c => c.Split('\n').Length).DefaultIfEmpty(0).Max();
        int captionSpace = captionLines * CaptionHeight;
        int cellW = w * Zoom, cellH = h * Zoom + captionSpace;
        var bitmap = new SKBitmap(columns * cellW + (columns - 1) * Gap, rows * cellH + (rows - 1) * Gap);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        var bytes = batch.cpu().data<byte>().ToArray(); // [N, 3, H, W]
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true, TextSize = 11 };
        for (int i = 0; i < n; i++)
        {
            using var tile = new SKBitmap(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
            int plane = h * w, offset = i * 3 * plane;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int p = offset + y * w + x;
                    tile.SetPixel(x, y, new SKColor(bytes[p], bytes[p + plane], bytes[p + 2 * plane]));
                }
            int left = (i % columns) * (cellW + Gap), top = (i / columns) * (cellH + Gap);
            canvas.DrawBitmap(tile, new SKRect(left, top, left + w * Zoom, top + h * Zoom), new SKPaint { FilterQuality = SKFilterQuality.None });
            if (Captions is not null)
            {
                var lines = Captions[i].Split('\n');
                for (int line = 0; line < lines.Length; line++)
                    canvas.DrawText(Fit(lines[line], paint, cellW), left, top + h * Zoom + (line + 1) * CaptionHeight - 4, paint);
            }
        }
        return bitmap;
    }

    /// <summary>The grid as PNG bytes.</summary>
    public byte[] ToPng()
    {
        using var bitmap = ToBitmap();
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>To uint8 [N, 3, H, W].</summary>
    Tensor Normalise(Tensor images)
    {
        var x = images.detach().cpu();
        x = x.dim() switch
        {
            2 => x.unsqueeze(0).unsqueeze(0),
            3 => x.unsqueeze(0),
            4 => x,
            _ => throw new ArgumentException($"ImageBatch expects [N,C,H,W], [C,H,W] or [H,W]; got [{string.Join(", ", x.shape)}]."),
        };
        long channels = x.shape[1];
        if (channels == 1) x = x.expand(-1, 3, -1, -1);
        else if (channels != 3)
        {
            var bands = DisplayBands ?? [0, 1, 2];
            if (bands.Length != 3 || bands.Any(b => b < 0 || b >= channels))
                throw new ArgumentException($"DisplayBands must name 3 of the {channels} channels; got [{string.Join(", ", bands)}].");
            x = x.index_select(1, tensor(bands.Select(b => (long)b).ToArray()));
        }
        if (x.dtype == ScalarType.Byte) return x.contiguous();
        var flat = x.to_type(ScalarType.Float32).flatten(1);
        var low = flat.nanquantile(tensor(0.02f), dim: 1, keepdim: true);
        var high = flat.nanquantile(tensor(0.98f), dim: 1, keepdim: true);
        using var held = new HeldScalars();
        var scaled = ((flat - low) / (high - low).clamp_min(held.Of(1e-12))).nan_to_num(0).clamp(held.Of(0.0), held.Of(1.0)).mul(held.Of(255.0));
        return scaled.round().to_type(ScalarType.Byte).reshape(x.shape).contiguous();
    }

    static string Fit(string text, SKPaint paint, int width)
    {
        if (paint.MeasureText(text) <= width) return text;
        while (text.Length > 1 && paint.MeasureText(text + "…") > width) text = text[..^1];
        return text + "…";
    }
}
