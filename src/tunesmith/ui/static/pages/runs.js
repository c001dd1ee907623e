// The runs page (placeholder: filled in by its owner).
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

export default {
  strings: { en: { 'runs.title': 'runs' }, zh: { 'runs.title': 'runs' } },
  async render(main) {
    main.append(h('h1', {}, t('nav.runs')));
  },
};
