"""Chinese names written in pinyin ("Sun Meiling", "Zhiqiang Wang"): a common surname next to a two-syllable word.

Pinyin has about 400 syllables, so whether a word can be a two-syllable given name is a closed question, answered
here by splitting it into syllables (the usual way such names are written: "Meiling", "Xiao-ling", "Zhiqiang").
A surname alone is no evidence (Long, Fan, Sun are English words too) and neither is a syllable pair (Panda,
Women), but the two side by side, both capitalised, name a person. One-syllable given names (Wei, Na, Jun) are in
the given-name list of `names_gazetteer` already.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS

# fmt: off
_SYLLABLES = """
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen ceng cha
chai chan chang chao che chen cheng chi chong chou chu chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun
cuo da dai dan dang dao de dei den deng di dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan
fang fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai
han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong
jiu ju juan jue jun ka kai kan kang kao ke ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao
le lei leng li lia lian liang liao lie lin ling liu long lou lu luan lun luo lv lü lve lüe ma mai man mang mao me mei
men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning
niu nong nou nu nuan nuo nv nü nve nüe o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi
qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru ruan rui run ruo sa
sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui
shun shuo si song sou su suan sui sun suo ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun
tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao
ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen
zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
"""
# the common surnames of names_zh.SURNAMES in pinyin, and compound ones
_SURNAMES = """
Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang Xie Song Tang Han
Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Yu Jiang Cai Du Ye Cheng Su Wei Lyu Lv Ding Ren Shen Yao Lu Cui
Zhong Tan Fan Jin Shi Liao Jia Xia Fu Fang Bai Zou Meng Xiong Qin Qiu Yin Xue Yan Duan Lei Hou Long Tao Gu Mao Hao
Gong Shao Wan Qian Dai Mo Kong Xiang Chang Wen Kang Niu Ge Xing An Qi Yi Qiao Pang Ni Zhuang Nie Yue Zhai Zhan Ou
Geng Guan Lan Jiao Zuo Gan Bao Ning Shang Shu Ruan Ke Ji Mei Tong Ling Bi Pei Huo Tu Miao Sheng Qu Weng Ran You
Xin Chai Hua Ouyang Situ Shangguan Zhuge Murong Dongfang Sima Huangfu Linghu Gongsun Zhangsun Yuwen Xiahou
"""
# fmt: on
SYLLABLES = frozenset(_SYLLABLES.split())
SURNAMES = frozenset(_SURNAMES.split()) - {w.title() for w in STOP_WORDS}  # not You, He, An: English words first
_SPLIT = re.compile(r"['’-]")


@lru_cache(maxsize=4096)
def syllables(word: str) -> int:
    """How few pinyin syllables `word` splits into (0 if it does not split), e.g. "Zhiqiang" → 2."""
    text = _SPLIT.sub("", word.lower())
    best = [0] + [99] * len(text)
    for end in range(1, len(text) + 1):
        for start in range(max(0, end - 6), end):
            if best[start] < 99 and text[start:end] in SYLLABLES:
                best[end] = min(best[end], best[start] + 1)
    return best[-1] if best[-1] < 99 else 0


def is_pinyin_given(word: str) -> bool:
    """Whether a capitalised `word` reads as a two-syllable pinyin given name ("Meiling", "Xiao-ling")."""
    return word[:1].isupper() and syllables(word) == 2 and word.upper() != word


def is_pinyin_name(first: str, second: str) -> bool:
    """Whether two capitalised words side by side are a pinyin name: a surname and a two-syllable given name, in
    either order ("Sun Meiling", "Zhiqiang Wang")."""
    return (first in SURNAMES and is_pinyin_given(second)) or (second in SURNAMES and is_pinyin_given(first))
