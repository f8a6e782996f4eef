//! The SHACL vocabulary (`http://www.w3.org/ns/shacl#`) used by the validator,
//! plus the IRIs of bibia's native constraint component.

use oxrdf::NamedNodeRef;

/// The SHACL namespace.
pub(crate) const NAMESPACE: &str = "http://www.w3.org/ns/shacl#";

/// bibia's Luhn checksum constraint component (implemented natively).
pub(crate) const BIA_LUHN_CONSTRAINT_COMPONENT: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("https://w3id.org/bibia/def#LuhnConstraintComponent");
/// The parameter of [`BIA_LUHN_CONSTRAINT_COMPONENT`] (`bia:luhn true`).
pub(crate) const BIA_LUHN: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("https://w3id.org/bibia/def#luhn");

terms! { "http://www.w3.org/ns/shacl#";
    /// Class of node shapes.
    NODE_SHAPE = "NodeShape";
    /// Class of property shapes.
    PROPERTY_SHAPE = "PropertyShape";
    /// Class of constraint components.
    CONSTRAINT_COMPONENT = "ConstraintComponent";
    /// Parameter declaration of a constraint component.
    PARAMETER = "parameter";
    /// SPARQL-based constraint.
    SPARQL = "sparql";
    /// Node target.
    TARGET_NODE = "targetNode";
    /// Class target.
    TARGET_CLASS = "targetClass";
    /// Subjects-of target.
    TARGET_SUBJECTS_OF = "targetSubjectsOf";
    /// Objects-of target.
    TARGET_OBJECTS_OF = "targetObjectsOf";
    /// Property path of a property shape.
    PATH = "path";
    /// Inverse path.
    INVERSE_PATH = "inversePath";
    /// Alternative path.
    ALTERNATIVE_PATH = "alternativePath";
    /// Zero-or-more path.
    ZERO_OR_MORE_PATH = "zeroOrMorePath";
    /// One-or-more path.
    ONE_OR_MORE_PATH = "oneOrMorePath";
    /// Zero-or-one path.
    ZERO_OR_ONE_PATH = "zeroOrOnePath";
    /// Deactivates a shape.
    DEACTIVATED = "deactivated";
    /// Severity of a shape's results.
    SEVERITY = "severity";
    /// Message of a shape's results.
    MESSAGE = "message";
    /// Severity: violation.
    VIOLATION = "Violation";
    /// Severity: warning.
    WARNING = "Warning";
    /// Severity: info.
    INFO = "Info";
    /// Class of validation reports.
    VALIDATION_REPORT = "ValidationReport";
    /// Class of validation results.
    VALIDATION_RESULT = "ValidationResult";
    /// Whether the data conforms.
    CONFORMS = "conforms";
    /// A result of a report.
    RESULT = "result";
    /// Focus node of a result.
    FOCUS_NODE = "focusNode";
    /// Path of a result.
    RESULT_PATH = "resultPath";
    /// Value of a result.
    VALUE = "value";
    /// Shape of a result.
    SOURCE_SHAPE = "sourceShape";
    /// Constraint component of a result.
    SOURCE_CONSTRAINT_COMPONENT = "sourceConstraintComponent";
    /// Severity of a result.
    RESULT_SEVERITY = "resultSeverity";
    /// Message of a result.
    RESULT_MESSAGE = "resultMessage";
    /// `sh:class` parameter.
    CLASS = "class";
    /// `sh:datatype` parameter.
    DATATYPE = "datatype";
    /// `sh:nodeKind` parameter.
    NODE_KIND = "nodeKind";
    /// Node kind: IRI.
    IRI = "IRI";
    /// Node kind: blank node.
    BLANK_NODE = "BlankNode";
    /// Node kind: literal.
    LITERAL = "Literal";
    /// Node kind: blank node or IRI.
    BLANK_NODE_OR_IRI = "BlankNodeOrIRI";
    /// Node kind: blank node or literal.
    BLANK_NODE_OR_LITERAL = "BlankNodeOrLiteral";
    /// Node kind: IRI or literal.
    IRI_OR_LITERAL = "IRIOrLiteral";
    /// `sh:minCount` parameter.
    MIN_COUNT = "minCount";
    /// `sh:maxCount` parameter.
    MAX_COUNT = "maxCount";
    /// `sh:minExclusive` parameter.
    MIN_EXCLUSIVE = "minExclusive";
    /// `sh:minInclusive` parameter.
    MIN_INCLUSIVE = "minInclusive";
    /// `sh:maxExclusive` parameter.
    MAX_EXCLUSIVE = "maxExclusive";
    /// `sh:maxInclusive` parameter.
    MAX_INCLUSIVE = "maxInclusive";
    /// `sh:minLength` parameter.
    MIN_LENGTH = "minLength";
    /// `sh:maxLength` parameter.
    MAX_LENGTH = "maxLength";
    /// `sh:pattern` parameter.
    PATTERN = "pattern";
    /// `sh:flags` parameter.
    FLAGS = "flags";
    /// `sh:languageIn` parameter.
    LANGUAGE_IN = "languageIn";
    /// `sh:uniqueLang` parameter.
    UNIQUE_LANG = "uniqueLang";
    /// `sh:equals` parameter.
    EQUALS = "equals";
    /// `sh:disjoint` parameter.
    DISJOINT = "disjoint";
    /// `sh:lessThan` parameter.
    LESS_THAN = "lessThan";
    /// `sh:lessThanOrEquals` parameter.
    LESS_THAN_OR_EQUALS = "lessThanOrEquals";
    /// `sh:not` parameter.
    NOT = "not";
    /// `sh:and` parameter.
    AND = "and";
    /// `sh:or` parameter.
    OR = "or";
    /// `sh:xone` parameter.
    XONE = "xone";
    /// `sh:node` parameter.
    NODE = "node";
    /// `sh:property` parameter.
    PROPERTY = "property";
    /// The group a property shape is shown in (non-validating).
    GROUP = "group";
    /// The relative order of a property shape or group (non-validating).
    ORDER = "order";
    /// The label of a property shape's field (non-validating).
    NAME = "name";
    /// The explanation of a property shape's field (non-validating).
    DESCRIPTION = "description";
    /// `sh:qualifiedValueShape` parameter.
    QUALIFIED_VALUE_SHAPE = "qualifiedValueShape";
    /// `sh:qualifiedMinCount` parameter.
    QUALIFIED_MIN_COUNT = "qualifiedMinCount";
    /// `sh:qualifiedMaxCount` parameter.
    QUALIFIED_MAX_COUNT = "qualifiedMaxCount";
    /// `sh:qualifiedValueShapesDisjoint` parameter.
    QUALIFIED_VALUE_SHAPES_DISJOINT = "qualifiedValueShapesDisjoint";
    /// `sh:closed` parameter.
    CLOSED = "closed";
    /// `sh:ignoredProperties` parameter.
    IGNORED_PROPERTIES = "ignoredProperties";
    /// `sh:hasValue` parameter.
    HAS_VALUE = "hasValue";
    /// `sh:in` parameter.
    IN = "in";
    /// Component of `sh:class`.
    CLASS_CONSTRAINT_COMPONENT = "ClassConstraintComponent";
    /// Component of `sh:datatype`.
    DATATYPE_CONSTRAINT_COMPONENT = "DatatypeConstraintComponent";
    /// Component of `sh:nodeKind`.
    NODE_KIND_CONSTRAINT_COMPONENT = "NodeKindConstraintComponent";
    /// Component of `sh:minCount`.
    MIN_COUNT_CONSTRAINT_COMPONENT = "MinCountConstraintComponent";
    /// Component of `sh:maxCount`.
    MAX_COUNT_CONSTRAINT_COMPONENT = "MaxCountConstraintComponent";
    /// Component of `sh:minExclusive`.
    MIN_EXCLUSIVE_CONSTRAINT_COMPONENT = "MinExclusiveConstraintComponent";
    /// Component of `sh:minInclusive`.
    MIN_INCLUSIVE_CONSTRAINT_COMPONENT = "MinInclusiveConstraintComponent";
    /// Component of `sh:maxExclusive`.
    MAX_EXCLUSIVE_CONSTRAINT_COMPONENT = "MaxExclusiveConstraintComponent";
    /// Component of `sh:maxInclusive`.
    MAX_INCLUSIVE_CONSTRAINT_COMPONENT = "MaxInclusiveConstraintComponent";
    /// Component of `sh:minLength`.
    MIN_LENGTH_CONSTRAINT_COMPONENT = "MinLengthConstraintComponent";
    /// Component of `sh:maxLength`.
    MAX_LENGTH_CONSTRAINT_COMPONENT = "MaxLengthConstraintComponent";
    /// Component of `sh:pattern`.
    PATTERN_CONSTRAINT_COMPONENT = "PatternConstraintComponent";
    /// Component of `sh:languageIn`.
    LANGUAGE_IN_CONSTRAINT_COMPONENT = "LanguageInConstraintComponent";
    /// Component of `sh:uniqueLang`.
    UNIQUE_LANG_CONSTRAINT_COMPONENT = "UniqueLangConstraintComponent";
    /// Component of `sh:equals`.
    EQUALS_CONSTRAINT_COMPONENT = "EqualsConstraintComponent";
    /// Component of `sh:disjoint`.
    DISJOINT_CONSTRAINT_COMPONENT = "DisjointConstraintComponent";
    /// Component of `sh:lessThan`.
    LESS_THAN_CONSTRAINT_COMPONENT = "LessThanConstraintComponent";
    /// Component of `sh:lessThanOrEquals`.
    LESS_THAN_OR_EQUALS_CONSTRAINT_COMPONENT = "LessThanOrEqualsConstraintComponent";
    /// Component of `sh:not`.
    NOT_CONSTRAINT_COMPONENT = "NotConstraintComponent";
    /// Component of `sh:and`.
    AND_CONSTRAINT_COMPONENT = "AndConstraintComponent";
    /// Component of `sh:or`.
    OR_CONSTRAINT_COMPONENT = "OrConstraintComponent";
    /// Component of `sh:xone`.
    XONE_CONSTRAINT_COMPONENT = "XoneConstraintComponent";
    /// Component of `sh:node`.
    NODE_CONSTRAINT_COMPONENT = "NodeConstraintComponent";
    /// Component of `sh:qualifiedMinCount`.
    QUALIFIED_MIN_COUNT_CONSTRAINT_COMPONENT = "QualifiedMinCountConstraintComponent";
    /// Component of `sh:qualifiedMaxCount`.
    QUALIFIED_MAX_COUNT_CONSTRAINT_COMPONENT = "QualifiedMaxCountConstraintComponent";
    /// Component of `sh:closed`.
    CLOSED_CONSTRAINT_COMPONENT = "ClosedConstraintComponent";
    /// Component of `sh:hasValue`.
    HAS_VALUE_CONSTRAINT_COMPONENT = "HasValueConstraintComponent";
    /// Component of `sh:in`.
    IN_CONSTRAINT_COMPONENT = "InConstraintComponent";
}
