using System.Buffers.Binary;
using System.Text;

namespace CnnSentinel.Runtime;

/// <summary>
/// Reads and edits the GNU symbol-version sections of an ELF64 little-endian shared library:
/// the versions it requires from other libraries (<c>.gnu.version_r</c>) and the versions it
/// defines (<c>.gnu.version_d</c>).
/// </summary>
/// <remarks>
/// Written by hand because no served package edits ELF version flags, and the job is small:
/// <see cref="TorchRuntime"/> uses it to mark one version requirement of TorchSharp's native
/// library as weak where the system libstdc++ is too old (see <c>MarkRequirementsWeak</c>).
/// Layouts follow the System V gABI and the LSB "Symbol Versioning" chapter.
/// </remarks>
internal sealed class ElfSymbolVersions
{
    const uint ShtGnuVerdef = 0x6ffffffd;
    const uint ShtGnuVerneed = 0x6ffffffe;
    /// <summary>VER_FLG_WEAK: the dynamic loader tolerates a missing weak version.</summary>
    public const ushort WeakFlag = 0x2;

    readonly byte[] _image;
    readonly string _path;

    /// <summary>Version requirements: the library that must provide it, the version name, its flags, and the flags' file offset.</summary>
    public IReadOnlyList<VersionRequirement> Requirements { get; }

    /// <summary>Version names this library defines (e.g. GLIBCXX_3.4.30 for libstdc++).</summary>
    public IReadOnlySet<string> Definitions { get; }

    ElfSymbolVersions(string path, byte[] image)
    {
        _path = path;
        _image = image;
        var (requirements, definitions) = Parse();
        Requirements = requirements;
        Definitions = definitions;
    }

    /// <summary>Reads the version sections of the ELF file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed ELF64 little-endian file.</exception>
    public static ElfSymbolVersions Read(string path) => new(path, File.ReadAllBytes(path));

    /// <summary>One entry of <c>.gnu.version_r</c>.</summary>
    public sealed record VersionRequirement(string Library, string Version, ushort Flags, long FlagsOffset)
    {
        /// <summary>True when the loader accepts a library that lacks this version.</summary>
        public bool IsWeak => (Flags & WeakFlag) != 0;
    }

    /// <summary>
    /// Returns the file's bytes with <see cref="WeakFlag"/> set on every requirement whose version is in
    /// <paramref name="versions"/>. The input file is not modified.
    /// </summary>
    public byte[] MarkRequirementsWeak(IEnumerable<string> versions)
    {
        var wanted = versions.ToHashSet(StringComparer.Ordinal);
        var copy = (byte[])_image.Clone();
        foreach (var requirement in Requirements.Where(r => wanted.Contains(r.Version)))
        {
            var span = copy.AsSpan((int)requirement.FlagsOffset, 2);
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(requirement.Flags | WeakFlag));
        }
        return copy;
    }

    (List<VersionRequirement>, HashSet<string>) Parse()
    {
        var span = _image.AsSpan();
        if (span.Length < 64 || span[0] != 0x7f || span[1] != (byte)'E' || span[2] != (byte)'L' || span[3] != (byte)'F')
            throw Invalid("not an ELF file");
        if (span[4] != 2 || span[5] != 1)
            throw Invalid("only 64-bit little-endian ELF files are supported");

        long sectionTable = (long)U64(0x28);
        int sectionSize = U16(0x3A);
        int sectionCount = U16(0x3C);
        if (sectionSize < 64 || sectionTable <= 0 || sectionTable + (long)sectionSize * sectionCount > span.Length)
            throw Invalid("section header table lies outside the file");

        var sections = Enumerable.Range(0, sectionCount)
            .Select(i => ReadSection(sectionTable + (long)i * sectionSize))
            .ToArray();

        var requirements = new List<VersionRequirement>();
        var definitions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            if (section.Type == ShtGnuVerneed)
                ReadRequirements(section, sections[section.Link], requirements);
            else if (section.Type == ShtGnuVerdef)
                ReadDefinitions(section, sections[section.Link], definitions);
        }
        return (requirements, definitions);
    }

    void ReadRequirements(Section verneed, Section strings, List<VersionRequirement> into)
    {
        long entry = (long)verneed.Offset;
        for (uint i = 0; i < verneed.Info; i++)
        {
            int auxCount = U16(entry + 2);
            string library = CString(strings, U32(entry + 4));
            long aux = entry + U32(entry + 8);
            for (int j = 0; j < auxCount; j++)
            {
                into.Add(new VersionRequirement(library, CString(strings, U32(aux + 8)), U16(aux + 4), aux + 4));
                aux += U32(aux + 12);
            }
            uint next = U32(entry + 12);
            if (next == 0) break;
            entry += next;
        }
    }

    void ReadDefinitions(Section verdef, Section strings, HashSet<string> into)
    {
        long entry = (long)verdef.Offset;
        for (uint i = 0; i < verdef.Info; i++)
        {
            long aux = entry + U32(entry + 12);
            into.Add(CString(strings, U32(aux)));
            uint next = U32(entry + 16);
            if (next == 0) break;
            entry += next;
        }
    }

    readonly record struct Section(uint Type, ulong Offset, ulong Size, uint Link, uint Info);

    Section ReadSection(long at) =>
        new(U32(at + 4), U64(at + 24), U64(at + 32), U32(at + 40), U32(at + 44));

    string CString(Section strings, uint index)
    {
        long start = (long)strings.Offset + index;
        if (start >= _image.Length) throw Invalid("string index outside the file");
        int end = Array.IndexOf(_image, (byte)0, (int)start);
        if (end < 0) throw Invalid("unterminated string");
        return Encoding.ASCII.GetString(_image, (int)start, end - (int)start);
    }

    ushort U16(long at) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(at, 2));
    uint U32(long at) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(at, 4));
    ulong U64(long at) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(at, 8));

    ReadOnlySpan<byte> Slice(long at, int length)
    {
        if (at < 0 || at + length > _image.Length) throw Invalid($"offset {at} outside the file");
        return _image.AsSpan((int)at, length);
    }

    InvalidDataException Invalid(string problem) => new($"{_path}: {problem}.");
}
