// English and Chinese strings. The shell's are here; each page brings its own (`strings` in its module).
const STRINGS = { en: {}, zh: {} };
let current = localStorage.getItem('tunesmith.lang') || ((navigator.language || '').startsWith('zh') ? 'zh' : 'en');

export function addStrings(strings) {
  for (const lang of Object.keys(STRINGS)) Object.assign(STRINGS[lang], strings[lang] || {});
}

export function lang() { return current; }
export function setLang(value) { current = value === 'zh' ? 'zh' : 'en'; localStorage.setItem('tunesmith.lang', current); document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en'; }

// t('key', {n: 3}) -> the current language's string with {n} filled in; English when a translation is missing.
export function t(key, vars = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

addStrings({
  en: {
    'nav.data': 'Data', 'nav.train': 'Train', 'nav.runs': 'Runs', 'nav.chat': 'Chat', 'nav.arena': 'Arena',
    'nav.export': 'Export', 'nav.traffic': 'Traffic', 'key.label': 'API key', 'key.use': 'Use', 'key.placeholder': 'admin key',
    'key.needed': 'This server needs an admin key: enter it at the top of the page.', 'key.saved': 'Key set for this tab.',
    'common.loading': 'Loading…', 'common.refresh': 'Refresh', 'common.download': 'Download', 'common.cancel': 'Cancel',
    'common.none': 'Nothing here yet.', 'common.error': 'Error', 'common.save': 'Save', 'common.run': 'Run',
    'common.status': 'Status', 'common.name': 'Name', 'common.created': 'Created', 'skip': 'Skip to content',
    'lang.label': 'Language',
  },
  zh: {
    'nav.data': '数据', 'nav.train': '训练', 'nav.runs': '运行', 'nav.chat': '对话', 'nav.arena': '擂台',
    'nav.export': '导出', 'nav.traffic': '流量', 'key.label': 'API 密钥', 'key.use': '使用', 'key.placeholder': '管理员密钥',
    'key.needed': '此服务器需要管理员密钥：请在页面顶部输入。', 'key.saved': '已为此标签页设置密钥。',
    'common.loading': '加载中…', 'common.refresh': '刷新', 'common.download': '下载', 'common.cancel': '取消',
    'common.none': '暂无内容。', 'common.error': '错误', 'common.save': '保存', 'common.run': '运行',
    'common.status': '状态', 'common.name': '名称', 'common.created': '创建时间', 'skip': '跳到正文',
    'lang.label': '语言',
  },
});
