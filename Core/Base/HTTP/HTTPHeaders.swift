/// HTTP header fields, looked up without regard to case and kept in the order received.
package struct HTTPHeaders: Sendable, Equatable, Sequence {
    /// One header line: the name as it was written and its value.
    package struct Field: Sendable, Equatable {
        package let name: String
        package let value: String
    }

    private var fields: [Field] = []

    /// Creates headers from name–value pairs, keeping their order.
    package init(_ pairs: [(String, String)] = []) {
        for (name, value) in pairs { add(name, value) }
    }

    /// The first value of `name`, compared without case, or nil.
    package subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return fields.first { $0.name.lowercased() == wanted }?.value
    }

    /// Every value of `name`, in order.
    package func values(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return fields.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// Appends a field, keeping any earlier ones of the same name.
    package mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field of `name` with one field.
    package mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// Removes every field of `name`.
    package mutating func remove(_ name: String) {
        let wanted = name.lowercased()
        fields.removeAll { $0.name.lowercased() == wanted }
    }

    package func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
}
