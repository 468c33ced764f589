//! an include passes inputs that its `spec:inputs` does not accept.

super::model_problem_rule!(
    InvalidInputs,
    Inputs,
    "KAS016",
    "invalid-inputs",
    Error,
    "an include passes inputs that its `spec:inputs` does not accept"
);
