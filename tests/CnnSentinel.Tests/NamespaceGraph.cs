using System.Collections.Immutable;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace CnnSentinel.Tests;

/// <summary>
/// Which namespace of an assembly uses which, read from its compiled metadata: base types and interfaces, field, method,
/// property and local signatures, attributes, and every type, method and field token in the method bodies. A namespace
/// is folded to one part below the root (<c>CnnSentinel.Models.Pretrained</c> counts as <c>CnnSentinel.Models</c>), as the
/// library's folders are; nested and compiler-generated types count for the namespace of the type that holds them, and
/// namespaces outside the given root (compiler-generated code such as <c>&lt;PrivateImplementationDetails&gt;</c> or
/// generated regular expressions) are left out.
/// </summary>
internal sealed class NamespaceGraph
{
    /// <summary>For each namespace, the other namespaces of the same assembly that its code refers to.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> Uses { get; }

    NamespaceGraph(IReadOnlyDictionary<string, IReadOnlySet<string>> uses) => Uses = uses;

    /// <summary>Reads the graph of the namespaces at and under <paramref name="root"/> in the assembly file at <paramref name="path"/>.</summary>
    public static NamespaceGraph Read(string path, string root)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var uses = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeDefinitions)
        {
            var from = NamespaceOf(reader, handle, root);
            if (from is null) continue;
            var collector = new Collector(reader);
            collector.VisitType(handle, pe);
            var targets = uses.TryGetValue(from, out var set) ? set : uses[from] = new HashSet<string>(StringComparer.Ordinal);
            foreach (var used in collector.Types)
                if (NamespaceOf(reader, used, root) is { } to && to != from) targets.Add(to);
        }
        return new NamespaceGraph(uses.ToDictionary(kv => kv.Key, kv => (IReadOnlySet<string>)kv.Value, StringComparer.Ordinal));
    }

    /// <summary>The namespaces on one cycle, first repeated at the end; null when the graph has none.</summary>
    public IReadOnlyList<string>? FindCycle()
    {
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the current path; true: done
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            if (state.TryGetValue(node, out bool done))
                return done ? null : [.. path.Skip(path.IndexOf(node)), node];
            state[node] = false;
            path.Add(node);
            foreach (var next in Uses.GetValueOrDefault(node) ?? ImmutableHashSet<string>.Empty)
                if (Visit(next) is { } cycle) return cycle;
            path.RemoveAt(path.Count - 1);
            state[node] = true;
            return null;
        }
        foreach (var node in Uses.Keys.Order(StringComparer.Ordinal))
            if (Visit(node) is { } cycle) return cycle;
        return null;
    }

    /// <summary>
    /// The namespace a type definition counts for: that of its outermost declaring type, folded to one part below
    /// <paramref name="root"/>; null outside <paramref name="root"/>.
    /// </summary>
    static string? NamespaceOf(MetadataReader reader, TypeDefinitionHandle handle, string root)
    {
        var type = reader.GetTypeDefinition(handle);
        while (type.GetDeclaringType() is { IsNil: false } outer) type = reader.GetTypeDefinition(outer);
        var name = reader.GetString(type.Namespace);
        if (name == root) return root;
        if (!name.StartsWith(root + ".", StringComparison.Ordinal)) return null;
        return root + "." + name[(root.Length + 1)..].Split('.')[0];
    }

    /// <summary>Collects the type definitions of the assembly that one type's metadata and IL refer to.</summary>
    sealed class Collector(MetadataReader reader) : ISignatureTypeProvider<bool, object?>
    {
        static readonly IReadOnlyDictionary<short, OperandType> Operands = typeof(OpCodes).GetFields()
            .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value, o => o.OperandType);

        public HashSet<TypeDefinitionHandle> Types { get; } = [];

        public void VisitType(TypeDefinitionHandle handle, PEReader pe)
        {
            var type = reader.GetTypeDefinition(handle);
            VisitEntity(type.BaseType);
            foreach (var i in type.GetInterfaceImplementations()) VisitEntity(reader.GetInterfaceImplementation(i).Interface);
            foreach (var f in type.GetFields()) reader.GetFieldDefinition(f).DecodeSignature(this, null);
            foreach (var p in type.GetProperties()) reader.GetPropertyDefinition(p).DecodeSignature(this, null);
            foreach (var m in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(m);
                method.DecodeSignature(this, null);
                foreach (var a in method.GetCustomAttributes()) VisitEntity(reader.GetCustomAttribute(a).Constructor);
                if (method.RelativeVirtualAddress != 0) VisitBody(pe.GetMethodBody(method.RelativeVirtualAddress));
            }
            foreach (var a in type.GetCustomAttributes()) VisitEntity(reader.GetCustomAttribute(a).Constructor);
        }

        void VisitBody(MethodBodyBlock body)
        {
            if (!body.LocalSignature.IsNil)
                reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null);
            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                short code = il.ReadByte();
                if (code == 0xFE) code = (short)(0xFE00 | il.ReadByte());
                switch (Operands[code])
                {
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                        VisitEntity(MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    case OperandType.InlineSwitch:
                        // The count first, then its targets: `il.Offset += 4 * il.ReadInt32()` would read the offset before
                        // the count, skip 4 bytes too few and fall out of step (switches appear in Release builds' async code).
                        var targets = il.ReadInt32();
                        il.Offset += 4 * targets;
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR:
                        il.Offset += 4;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                }
            }
        }

        void VisitEntity(EntityHandle handle)
        {
            if (handle.IsNil) return;
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition: Types.Add((TypeDefinitionHandle)handle); break;
                case HandleKind.TypeSpecification: reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null); break;
                case HandleKind.FieldDefinition: Types.Add(reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType()); break;
                case HandleKind.MethodDefinition: Types.Add(reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType()); break;
                case HandleKind.MethodSpecification:
                    var spec = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    VisitEntity(spec.Method);
                    spec.DecodeSignature(this, null);
                    break;
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    VisitEntity(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method) member.DecodeMethodSignature(this, null);
                    else member.DecodeFieldSignature(this, null);
                    break;
            }
        }

        public bool GetTypeFromDefinition(MetadataReader r, TypeDefinitionHandle handle, byte rawTypeKind) => Types.Add(handle);
        public bool GetTypeFromReference(MetadataReader r, TypeReferenceHandle handle, byte rawTypeKind) => false;
        public bool GetTypeFromSpecification(MetadataReader r, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            r.GetTypeSpecification(handle).DecodeSignature(this, context);
        public bool GetPrimitiveType(PrimitiveTypeCode typeCode) => false;
        public bool GetSZArrayType(bool elementType) => false;
        public bool GetArrayType(bool elementType, ArrayShape shape) => false;
        public bool GetByReferenceType(bool elementType) => false;
        public bool GetPointerType(bool elementType) => false;
        public bool GetPinnedType(bool elementType) => false;
        public bool GetGenericInstantiation(bool genericType, ImmutableArray<bool> typeArguments) => false;
        public bool GetGenericMethodParameter(object? context, int index) => false;
        public bool GetGenericTypeParameter(object? context, int index) => false;
        public bool GetFunctionPointerType(MethodSignature<bool> signature) => false;
        public bool GetModifiedType(bool modifier, bool unmodifiedType, bool isRequired) => false;
    }
}
