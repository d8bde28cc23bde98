import Foundation

extension CustomFieldInput {
    /// Whether `value` (a custom field as a task reads it back; nil when the task carries none)
    /// already shows this input: writing it would change nothing.
    public func isShown(by value: CustomFieldValue?) -> Bool {
        switch self {
        case .text(let text): (value?.text_value ?? "") == text
        case .number(let number): value?.number_value == number
        case .enumOption(let gid): value?.enum_value?.gid == gid
        case .date(let date): value?.date_value?.date == date
        case .clear:
            (value?.text_value ?? "").isEmpty && value?.number_value == nil && value?.enum_value == nil && value?.date_value?.date == nil
        }
    }
}

extension AsanaTask {
    /// Of `inputs` (custom field GID → value), those this task, as it was read, does not show
    /// already. A write of only these cannot undo an edit made to the other fields since the read.
    public func changes(_ inputs: [String: CustomFieldInput]) -> [String: CustomFieldInput] {
        inputs.filter { !$0.value.isShown(by: value(of: $0.key)) }
    }
}
