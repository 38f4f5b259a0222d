//! Reads HTML the way a browser's tokenizer does (html5ever, the parser ammonia uses), so tests
//! can ask which elements and attributes a page really contains, not which strings it mentions.

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use std::cell::RefCell;

/// A start tag as the browser sees it.
#[derive(Clone, Debug)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Collect {
    elements: RefCell<Vec<Element>>,
    title: RefCell<Option<String>>,
    in_title: RefCell<bool>,
}

impl TokenSink for Collect {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                let name = tag.name.to_string();
                let attrs = tag.attrs.iter().map(|a| (a.name.local.to_string(), a.value.to_string())).collect();
                self.elements.borrow_mut().push(Element { name: name.clone(), attrs });
                // The tree builder switches the tokenizer for these elements' contents; do the same.
                match name.as_str() {
                    "title" | "textarea" => {
                        *self.in_title.borrow_mut() = name == "title";
                        TokenSinkResult::RawData(RawKind::Rcdata)
                    }
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" => TokenSinkResult::RawData(RawKind::Rawtext),
                    "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                    _ => TokenSinkResult::Continue,
                }
            }
            Token::TagToken(_) => {
                *self.in_title.borrow_mut() = false;
                TokenSinkResult::Continue
            }
            Token::CharacterTokens(text) if *self.in_title.borrow() => {
                self.title.borrow_mut().get_or_insert_with(String::new).push_str(&text);
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

/// Every start tag of the document, in order, and the text of its first `<title>`.
pub fn parse(html: &str) -> (Vec<Element>, Option<String>) {
    let tokenizer = Tokenizer::new(Collect::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let sink = tokenizer.sink;
    (sink.elements.take(), sink.title.take())
}
