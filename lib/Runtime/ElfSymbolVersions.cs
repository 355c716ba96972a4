using System.Runtime.InteropServices;
using LibObjectFile.Elf;

namespace CnnSentinel.Runtime;

/// <summary>
/// Reads and edits the GNU symbol-version sections of a little-endian ELF shared library:
/// the versions it requires from other libraries (<c>.gnu.version_r</c>) and the versions it
/// defines (<c>.gnu.version_d</c>).
/// </summary>
/// <remarks>
/// LibObjectFile reads the file (headers, sections, string tables) and writes it back; it has no model of the
/// version sections (they come as raw section bytes), so their entries are walked here with its
/// <see cref="ElfNative"/> layouts. <see cref="TorchRuntime"/> uses this to mark one version requirement of
/// TorchSharp's native library as weak where the system libstdc++ is too old (see <see cref="MarkRequirementsWeak"/>).
/// LibObjectFile writes TorchSharp 0.107's library back byte for byte; the patched copy is still compared with
/// the original, because any other change (a moved section, a rewritten table) could keep it from loading.
/// </remarks>
internal sealed class ElfSymbolVersions
{
    /// <summary>VER_FLG_WEAK: the dynamic loader tolerates a missing weak version.</summary>
    public const ushort WeakFlag = ElfNative.VER_FLG_WEAK;

    readonly string _path;
    readonly byte[] _image;
    readonly ElfFile _elf;

    /// <summary>Version requirements: the library that must provide it, the version name, its flags, and the flags' file offset.</summary>
    public IReadOnlyList<VersionRequirement> Requirements { get; }

    /// <summary>Version names this library defines (e.g. GLIBCXX_3.4.30 for libstdc++).</summary>
    public IReadOnlySet<string> Definitions { get; }

    ElfSymbolVersions(string path, byte[] image, ElfFile elf)
    {
        _path = path;
        _image = image;
        _elf = elf;
        Requirements = elf.Sections.OfType<ElfStreamSection>()
            .Where(s => s.Type == ElfSectionType.GnuVersionNeedsSection)
            .SelectMany(ReadRequirements).ToList();
        Definitions = elf.Sections.OfType<ElfStreamSection>()
            .Where(s => s.Type == ElfSectionType.GnuVersionDefinition)
            .SelectMany(ReadDefinitions).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Reads the version sections of the ELF file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed little-endian ELF file.</exception>
    public static ElfSymbolVersions Read(string path)
    {
        var image = File.ReadAllBytes(path);
        using var input = new MemoryStream(image, writable: false);
        if (!ElfFile.IsElf(input, out var encoding)) throw Invalid(path, "not an ELF file");
        if (encoding != ElfEncoding.Lsb) throw Invalid(path, "only little-endian ELF files are supported");
        input.Position = 0;
        try
        {
            if (!ElfFile.TryRead(input, out var elf, out var diagnostics))
                throw Invalid(path, $"not a well-formed ELF file ({string.Join("; ", diagnostics.Messages.Where(m => m.Kind == LibObjectFile.Diagnostics.DiagnosticKind.Error))})");
            return new ElfSymbolVersions(path, image, elf);
        }
        catch (EndOfStreamException e)
        {
            throw Invalid(path, $"truncated ({e.Message})");
        }
    }

    /// <summary>One entry of <c>.gnu.version_r</c>.</summary>
    public sealed record VersionRequirement(string Library, string Version, ushort Flags, long FlagsOffset)
    {
        /// <summary>True when the loader accepts a library that lacks this version.</summary>
        public bool IsWeak => (Flags & WeakFlag) != 0;
    }

    /// <summary>
    /// Returns the file's bytes with <see cref="WeakFlag"/> set on every requirement whose version is in
    /// <paramref name="versions"/>, written by LibObjectFile. The input file is not modified.
    /// </summary>
    /// <exception cref="InvalidDataException">The written file differs from the original in more than those flags.</exception>
    public byte[] MarkRequirementsWeak(IEnumerable<string> versions)
    {
        var wanted = versions.ToHashSet(StringComparer.Ordinal);
        var marked = Requirements.Where(r => wanted.Contains(r.Version)).ToList();
        var sections = _elf.Sections.OfType<ElfStreamSection>().Where(s => s.Type == ElfSectionType.GnuVersionNeedsSection).ToList();
        var originals = sections.Select(s => s.Stream).ToList();
        try
        {
            foreach (var section in sections)
            {
                var bytes = Contents(section);
                long start = (long)section.Position;
                foreach (var requirement in marked.Where(r => r.FlagsOffset >= start && r.FlagsOffset < start + bytes.Length))
                {
                    var flags = bytes.AsSpan((int)(requirement.FlagsOffset - start), sizeof(ushort));
                    MemoryMarshal.Write(flags, (ushort)(requirement.Flags | WeakFlag));
                }
                section.Stream = new MemoryStream(bytes);
            }
            using var output = new MemoryStream();
            _elf.Write(output);
            var written = output.ToArray();
            CheckOnlyFlagsChanged(written, marked);
            return written;
        }
        finally
        {
            for (int i = 0; i < sections.Count; i++) sections[i].Stream = originals[i];
        }
    }

    void CheckOnlyFlagsChanged(byte[] written, IReadOnlyList<VersionRequirement> marked)
    {
        var flagBytes = marked.SelectMany(r => new[] { r.FlagsOffset, r.FlagsOffset + 1 }).ToHashSet();
        if (written.Length != _image.Length)
            throw Invalid(_path, $"LibObjectFile wrote {written.Length} bytes for the {_image.Length} read; the patched copy would not be the same library");
        for (long i = 0; i < written.Length; i++)
            if (written[i] != _image[i] && !flagBytes.Contains(i))
                throw Invalid(_path, $"LibObjectFile changed byte {i}, outside the version flags; the patched copy would not be the same library");
    }

    IEnumerable<VersionRequirement> ReadRequirements(ElfStreamSection section)
    {
        var bytes = Contents(section);
        var strings = StringsOf(section);
        foreach (var (at, need) in Chain<ElfNative.Elf64_Verneed>(section, bytes, n => n.vn_next))
        {
            string library = String(strings, need.vn_file);
            int aux = at + (int)(uint)need.vn_aux;
            for (int j = 0; j < need.vn_cnt; j++)
            {
                var version = Entry<ElfNative.Elf64_Vernaux>(bytes, aux);
                int flagsAt = aux + (int)Marshal.OffsetOf<ElfNative.Elf64_Vernaux>(nameof(version.vna_flags));
                yield return new VersionRequirement(library, String(strings, version.vna_name), version.vna_flags, (long)section.Position + flagsAt);
                aux += (int)(uint)version.vna_next;
            }
        }
    }

    IEnumerable<string> ReadDefinitions(ElfStreamSection section)
    {
        var bytes = Contents(section);
        var strings = StringsOf(section);
        return Chain<ElfNative.Elf64_Verdef>(section, bytes, d => d.vd_next)
            .Select(d => String(strings, Entry<ElfNative.Elf64_Verdaux>(bytes, d.At + (int)(uint)d.Entry.vd_aux).vda_name))
            .ToList();
    }

    /// <summary>
    /// The entries of a version section and their offsets in it: as many as its header's info field says, each
    /// giving the distance to the next (0 after the last).
    /// </summary>
    IEnumerable<(int At, T Entry)> Chain<T>(ElfStreamSection section, byte[] bytes, Func<T, uint> next) where T : unmanaged
    {
        int at = 0;
        for (uint i = 0; i < section.Info.SpecialIndex; i++)
        {
            var entry = Entry<T>(bytes, at);
            yield return (at, entry);
            if (next(entry) == 0) break;
            at += (int)next(entry);
        }
    }

    /// <summary>The section's bytes, a copy (its stream stays at position 0).</summary>
    static byte[] Contents(ElfStreamSection section)
    {
        var bytes = new byte[section.Stream.Length];
        section.Stream.Position = 0;
        section.Stream.ReadExactly(bytes);
        section.Stream.Position = 0;
        return bytes;
    }

    ElfStringTable StringsOf(ElfSection section) =>
        section.Link.Section as ElfStringTable ?? throw Invalid(_path, $"{section.Name.Value} does not link to a string table");

    string String(ElfStringTable strings, uint index) =>
        strings.TryGetString(index, out var text) ? text : throw Invalid(_path, $"string {index} lies outside {strings.Name.Value}");

    T Entry<T>(byte[] section, int at) where T : unmanaged =>
        at >= 0 && at + Marshal.SizeOf<T>() <= section.Length
            ? MemoryMarshal.Read<T>(section.AsSpan(at))
            : throw Invalid(_path, $"a symbol-version entry at {at} lies outside its section");

    static InvalidDataException Invalid(string path, string problem) => new($"{path}: {problem}.");
}
