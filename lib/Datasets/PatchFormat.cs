namespace CnnSentinel.Datasets;

/// <summary>The two EuroSAT releases.</summary>
public enum PatchFormat
{
    /// <summary>RGB JPEG, 3 bands of 8 bits (<c>&lt;Class&gt;/&lt;Class&gt;_&lt;n&gt;.jpg</c>).</summary>
    Rgb,

    /// <summary>Multispectral GeoTIFF, 13 bands of uint16 (<c>&lt;Class&gt;/&lt;Class&gt;_&lt;n&gt;.tif</c>), band order in <see cref="SentinelBands"/>.</summary>
    Multispectral,
}
